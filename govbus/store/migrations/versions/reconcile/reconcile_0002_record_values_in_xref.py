"""Reconcile: each agency record's values kept on its xref row, one row per record.

``person_attribute`` held one row per person, attribute, source and record: eight rows per
record, the bulk of a run's writes. The xref row of each record now carries when it was observed
and its standardised values, one column per golden attribute: still every value each agency holds,
which agency, which record, when. Existing provenance is moved over, and back on downgrade.

Revision ID: reconcile_0002
Revises: reconcile_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "reconcile_0002"
down_revision = "reconcile_0001"
branch_labels = None
depends_on = None

# The golden attributes as this revision knows them (``govbus.registry.survivorship.DOMAINS`` then).
ATTRIBUTES = ("national_id", "passport_number", "given_name", "family_name", "date_of_birth", "street", "postcode")


def upgrade() -> None:
    with op.batch_alter_table("person_xref") as batch:
        batch.add_column(sa.Column("observed_at", sa.DateTime(timezone=True), nullable=True))
        for attribute in ATTRIBUTES:
            batch.add_column(sa.Column(attribute, sa.Text, nullable=True))
    # Matched on the provenance table's whole key, person first, so each lookup is one index probe.
    match = ("a.person_id = person_xref.person_id AND a.source = person_xref.source "
             "AND a.record_id = person_xref.record_id")
    values = ", ".join(
        f"{attribute} = (SELECT a.value FROM person_attribute a WHERE {match} AND a.attribute = '{attribute}')"
        for attribute in ATTRIBUTES
    )
    op.execute(f"UPDATE person_xref SET observed_at = (SELECT max(a.observed_at) FROM person_attribute a WHERE {match}), {values}")
    op.drop_table("person_attribute")


def downgrade() -> None:
    op.create_table(
        "person_attribute",
        sa.Column("person_id", sa.String(20), primary_key=True),
        sa.Column("attribute", sa.String(50), primary_key=True),
        sa.Column("source", sa.String(50), primary_key=True),
        sa.Column("record_id", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=True),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=True),
    )
    for attribute in ATTRIBUTES:
        op.execute(
            "INSERT INTO person_attribute (person_id, attribute, source, record_id, value, observed_at) "
            f"SELECT person_id, '{attribute}', source, record_id, {attribute}, observed_at FROM person_xref "
            f"WHERE {attribute} IS NOT NULL"
        )
    with op.batch_alter_table("person_xref") as batch:
        for column in ("observed_at", *ATTRIBUTES):
            batch.drop_column(column)
