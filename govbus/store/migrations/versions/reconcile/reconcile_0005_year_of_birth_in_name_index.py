"""Reconcile: the whole-name index holds the year of birth, not the date.

The whole-name blocking rule compares years of birth. With the date in the index, a new record
with a common name was compared with the year of every record of that name, hundreds of index
entries each; with the year, the index finds the few that agree.

Revision ID: reconcile_0005
Revises: reconcile_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "reconcile_0005"
down_revision = "reconcile_0004"
branch_labels = None
depends_on = None

INDEX = "ix_person_xref_family_name"


def upgrade() -> None:
    op.drop_index(INDEX, table_name="person_xref")
    op.create_index(INDEX, "person_xref", ["family_name", "given_name", sa.text("substr(date_of_birth, 1, 4)")])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="person_xref")
    op.create_index(INDEX, "person_xref", ["family_name", "given_name", "date_of_birth"])
