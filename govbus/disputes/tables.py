"""The disputes area's table. Its Alembic branch is ``disputes`` (``.../versions/disputes/``)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, DateTime, Float, Integer, String, Table, Text

from govbus.store.tables import metadata

# One dispute against the provider of a contract whose breaches passed its agreement's tolerance.
dispute = Table(
    "dispute",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=True),
    Column("agreement_ref", String(20), nullable=False, index=True),
    Column("contract_id", String(100), nullable=False),
    Column("counterparty", String(100), nullable=False),
    Column("raised_for", JSON, nullable=False),
    Column("body", String(200), nullable=False),
    Column("contact", String(200), nullable=False),
    Column("clause", String(20), nullable=False),
    Column("breached_clauses", JSON, nullable=False),
    Column("status", String(10), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("working_days", Integer, nullable=False),
    Column("breach_share", Float, nullable=False),
    Column("tolerance", Float, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("evidence_digest", String(64), nullable=False),
    Column("audit_seq", BigInteger, nullable=True),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("resolved_by", String(100), nullable=True),
    Column("resolution", Text, nullable=True),
)
