"""Reconcile: golden records stored as jsonb on PostgreSQL.

A ``json`` value is kept as text and parsed again by every operator that reads it, so a view or a
scan that reads two golden values of each of a million people parsed two million records; ``jsonb``
is kept parsed. Views over ``person`` (the replacement views of retired holdings in the same
database) would block the change of type, so they are dropped and created again from their own
definitions, in the same transaction. SQLite has a single JSON type: nothing changes there.

Revision ID: reconcile_0003
Revises: reconcile_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "reconcile_0003"
down_revision = "reconcile_0002"
branch_labels = None
depends_on = None

_DOCUMENTS = ("golden", "conflicts")
# Views reading ``person``, found through the rewrite rules that depend on it.
_DEPENDENT_VIEWS = sa.text(
    "SELECT DISTINCT view.oid::regclass::text AS name, pg_get_viewdef(view.oid) AS definition "
    "FROM pg_depend dependency JOIN pg_rewrite rule ON rule.oid = dependency.objid "
    "JOIN pg_class view ON view.oid = rule.ev_class "
    "WHERE dependency.refobjid = 'person'::regclass AND view.relkind = 'v'"
)


def upgrade() -> None:
    _retype("jsonb")


def downgrade() -> None:
    _retype("json")


def _retype(kind: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    views = bind.execute(_DEPENDENT_VIEWS).all()
    # Through the driver as written: a view's definition is SQL of its own, with its own colons.
    for name, _ in views:
        bind.exec_driver_sql(f"DROP VIEW {name}")
    for column in _DOCUMENTS:
        bind.exec_driver_sql(f"ALTER TABLE person ALTER COLUMN {column} TYPE {kind} USING {column}::{kind}")
    for name, definition in views:
        bind.exec_driver_sql(f"CREATE VIEW {name} AS {definition}")
