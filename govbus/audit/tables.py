"""The audit area's tables: the hash-chained log, its subject index and its head.

Their Alembic branch is ``audit`` (``govbus/store/migrations/versions/audit/``). Every value that
goes into an entry's hash is stored as text exactly as it was hashed, so verifying never depends
on how a database round-trips timestamps or JSON.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Table, Text

from govbus.store.tables import metadata

# One entry per recorded act: who did what to whose data, under which agreement.
audit_entry = Table(
    "audit_entry",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("recorded_at", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("agreement_ref", String(20), nullable=True),
    Column("details", Text, nullable=False),
    Column("subject_count", BigInteger, nullable=False),
    Column("subjects_digest", String(64), nullable=False),
    Column("previous_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False, unique=True),
    Column("signature", String(64), nullable=True),
)

# Whose data each entry concerns, so a citizen's question is an index lookup.
audit_subject = Table(
    "audit_subject",
    metadata,
    Column("subject_id", String(200), primary_key=True),
    Column("seq", BigInteger, ForeignKey("audit_entry.seq"), primary_key=True),
)

# The newest entry; appending locks this one row, so concurrent writers take turns.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("entry_hash", String(64), nullable=False),
)
