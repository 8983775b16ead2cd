"""Reconcile: the name keys on each xref row, and an index per value a new record is looked up by.

An incremental run reads only the linked records that agree with a new record on a blocking rule,
found in the database; two of the rules block on name keys derived from the names, so the xref
row keeps them, and the values the rules start with are indexed. Rows linked before this revision
get their keys derived here from their kept names, as the shipped source mapping derives them.

Revision ID: reconcile_0004
Revises: reconcile_0003
"""

import pandas as pd
import sqlalchemy as sa
from alembic import op

from govbus.reconcile.transforms import name_key

revision = "reconcile_0004"
down_revision = "reconcile_0003"
branch_labels = None
depends_on = None

# Key -> the name it is derived from, and the values looked up, as this revision knows them.
KEYS = {"given_name_key": "given_name", "family_name_key": "family_name"}
LOOKED_UP = {"national_id": ["national_id"], "passport_number": ["passport_number"],
             "date_of_birth": ["date_of_birth", "family_name_key", "given_name_key", "postcode"],
             "given_name": ["given_name"], "family_name": ["family_name", "given_name", "date_of_birth"]}


def upgrade() -> None:
    with op.batch_alter_table("person_xref") as batch:
        for key in KEYS:
            batch.add_column(sa.Column(key, sa.Text, nullable=True))
    for name, columns in LOOKED_UP.items():
        op.create_index(f"ix_person_xref_{name}", "person_xref", columns)
    bind = op.get_bind()
    # Indexed first: each name's rows are then found, not searched for.
    for key, name in KEYS.items():
        # Derived once per distinct name: names repeat across a country's records.
        names = pd.Series([row[0] for row in bind.execute(sa.text(f"SELECT DISTINCT {name} FROM person_xref WHERE {name} IS NOT NULL"))],
                          dtype="string")
        derived = [{"name": n, "key": None if pd.isna(k) else k} for n, k in zip(names.tolist(), name_key(names).tolist())]
        if derived:
            bind.execute(sa.text(f"UPDATE person_xref SET {key} = :key WHERE {name} = :name"), derived)


def downgrade() -> None:
    for name in LOOKED_UP:
        op.drop_index(f"ix_person_xref_{name}", table_name="person_xref")
    with op.batch_alter_table("person_xref") as batch:
        for key in KEYS:
            batch.drop_column(key)
