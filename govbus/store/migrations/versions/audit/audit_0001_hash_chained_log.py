"""Audit: the append-only, hash-chained log, its subject index and its head.

Triggers refuse UPDATE and DELETE on the entries, so the log is append-only for every ordinary
writer; the hash chain is what shows it if someone with the rights to drop them did so.

Revision ID: audit_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "audit_0001"
down_revision = None
branch_labels = ("audit",)
depends_on = None

_GUARDED = ("audit_entry", "audit_subject")


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("agreement_ref", sa.String(20), nullable=True),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("subject_count", sa.BigInteger, nullable=False),
        sa.Column("subjects_digest", sa.String(64), nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("signature", sa.String(64), nullable=True),
    )
    op.create_index("ix_audit_entry_agreement", "audit_entry", ["agreement_ref", "seq"])
    op.create_table(
        "audit_subject",
        sa.Column("subject_id", sa.String(200), primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.ForeignKey("audit_entry.seq"), primary_key=True),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "entry_hash": "0" * 64}])
    dialect = op.get_bind().dialect.name
    for table in _GUARDED:
        for statement in _append_only(dialect, table):
            op.execute(statement)


def downgrade() -> None:
    for table in ("audit_head", "audit_subject", "audit_entry"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")


def _append_only(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME; END; $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
        ]
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: {operation} on {table} refused'); END"
            for operation in ("UPDATE", "DELETE")
        ]
    return []
