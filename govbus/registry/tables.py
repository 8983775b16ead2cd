"""The shared customer registry's tables: people, their agency records with their values, and stewardship.

Declared on the store's shared metadata; the Alembic branch ``reconcile`` creates them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Float, Index, Integer, String, Table, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB

from govbus.registry.survivorship import DOMAINS
from govbus.store.tables import metadata

# A golden record as a document; on PostgreSQL jsonb, kept parsed, so reading one value of it (the
# replacement views, the holdings scan) does not parse the whole record again for every row.
GOLDEN_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")

# A govbus person id is never reused: a person merged into another is kept, retired, with a pointer.
person = Table(
    "person",
    metadata,
    Column("person_id", String(20), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True), nullable=True),
    Column("merged_into", String(20), nullable=True),
    Column("golden", GOLDEN_DOCUMENT, nullable=True),
    Column("conflicts", GOLDEN_DOCUMENT, nullable=True),
)

# The keys the person model blocks on that are derived from those values (``reconcile/sources.yaml``).
NAME_KEYS = ("given_name_key", "family_name_key")
# The values a new record's possible matches are looked up by (``govbus.registry.nearby``): the
# columns of each blocking rule, and the names whose term frequencies are counted. Each index
# holds all of its rules' columns, so the records sharing a date of birth (a few dozen) or a
# whole name (hundreds, for a common one) are told apart in the index, not each read from the table.
# The whole-name rule compares years of birth, so its index holds the year, written as the rule's
# SQL is written for the database (``govbus.registry.nearby``): an index on an expression serves
# only that same expression.
YEAR_OF_BIRTH = "substr(date_of_birth, 1, 4)"
LOOKED_UP = {"national_id": ("national_id",), "passport_number": ("passport_number",),
             "date_of_birth": ("date_of_birth", "family_name_key", "given_name_key", "postcode"),
             "given_name": ("given_name",), "family_name": ("family_name", "given_name", YEAR_OF_BIRTH)}

# Each agency record, the person it is, and its values as reconciliation standardised them: the
# provenance of every golden value (which agency, which record, when) and, for the next run, the
# record as already read. One row per record, a column per golden attribute (``DOMAINS``) and
# per name key, and an index per value looked up, so an incremental run reads only the records near
# the new ones.
person_xref = Table(
    "person_xref",
    metadata,
    Column("source", String(50), primary_key=True),
    Column("record_id", String(100), primary_key=True),
    Column("person_id", String(20), nullable=False, index=True),
    Column("match_probability", Float, nullable=True),
    Column("model_version", String(100), nullable=False),
    Column("linked_at", DateTime(timezone=True), nullable=False),
    Column("observed_at", DateTime(timezone=True), nullable=True),
    *(Column(attribute, Text, nullable=True) for attribute in DOMAINS),
    *(Column(key, Text, nullable=True) for key in NAME_KEYS),
    *(Index(f"ix_person_xref_{name}", *(c if c.isidentifier() else text(c) for c in columns)) for name, columns in LOOKED_UP.items()),
)

review_pair = Table(
    "review_pair",
    metadata,
    Column("pair_id", Integer, primary_key=True, autoincrement=True),
    Column("unique_id_l", String(160), nullable=False),
    Column("unique_id_r", String(160), nullable=False),
    Column("match_probability", Float, nullable=False),
    Column("status", String(10), nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("reason", Text, nullable=True),
    UniqueConstraint("unique_id_l", "unique_id_r", name="uq_review_pair"),
)

reconcile_audit = Table(
    "reconcile_audit",
    metadata,
    Column("audit_id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(10), nullable=False),
    Column("person_id", String(20), nullable=False, index=True),
    Column("before", JSON, nullable=False),
    Column("after", JSON, nullable=False),
    Column("model_version", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
