"""The contracts area's tables in the govbus store: validation history, quarantine decisions, availability.

Their Alembic branch is ``contracts`` (``govbus/store/migrations/versions/contracts/``).
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, String, Table, Text

from govbus.store.tables import metadata

# One validation of one landed batch against one contract.
contract_validation_run = Table(
    "contract_validation_run",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("contract_id", String(100), nullable=False),
    Column("contract_version", String(20), nullable=False),
    Column("agreement_ref", String(20), nullable=False),
    Column("topic", String(249), nullable=False),
    Column("batch", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("seconds", Float, nullable=False),
    Column("row_count", BigInteger, nullable=True),
    Column("status", String(10), nullable=False),
    Column("data_docs", Text, nullable=True),
    Index("ix_contract_validation_run_agreement_started", "agreement_ref", "started_at"),
)

# How that batch fared against each rule, named by agreement clause.
contract_rule_result = Table(
    "contract_rule_result",
    metadata,
    Column("run_id", String(32), ForeignKey("contract_validation_run.run_id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("agreement_ref", String(20), nullable=False),
    Column("clause", String(20), nullable=False),
    Column("field", String(200), nullable=True),
    Column("rule", String(30), nullable=False),
    Column("detail", Text, nullable=False),
    Column("expectation", String(100), nullable=False),
    Column("status", String(10), nullable=False),
    Column("element_count", BigInteger, nullable=True),
    Column("failing_count", BigInteger, nullable=True),
    Column("failing_percent", Float, nullable=True),
    Column("observed", Text, nullable=True),
    Column("sample_values", JSON, nullable=False),
    Column("message", Text, nullable=True),
)

# A steward's decision on one quarantined event; the event itself stays in <topic>.quarantine.
quarantine_decision = Table(
    "quarantine_decision",
    metadata,
    Column("topic", String(249), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("offset", BigInteger, primary_key=True),
    Column("decision", String(10), nullable=False),
    Column("reason", Text, nullable=True),
    Column("decided_by", String(100), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("agreement_ref", String(20), nullable=False),
    Column("clause", String(20), nullable=False),
    Column("rule", String(30), nullable=False),
    Column("field", String(200), nullable=True),
    Column("released_to_partition", Integer, nullable=True),
    Column("released_to_offset", BigInteger, nullable=True),
)

# One check of whether a contract's topic could accept publishes: the broker answered and every
# partition had a leader. Availability is the share of time windows whose checks all passed.
availability_probe = Table(
    "availability_probe",
    metadata,
    Column("probe_id", Integer, primary_key=True, autoincrement=True),
    Column("contract_id", String(100), nullable=False),
    Column("agreement_ref", String(20), nullable=False),
    Column("topic", String(249), nullable=False),
    Column("probed_at", DateTime(timezone=True), nullable=False),
    Column("available", Boolean, nullable=False),
    Column("detail", Text, nullable=True),
    Index("ix_availability_probe_agreement_probed", "agreement_ref", "probed_at"),
)
