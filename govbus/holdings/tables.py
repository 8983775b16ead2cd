"""The holdings area's tables. Its Alembic branch is ``holdings`` (``.../versions/holdings/``)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, Float, Integer, String, Table, Text

from govbus.store.tables import metadata

# One row per holding per scan: the trend of its redundancy over time.
holding_measurement = Table(
    "holding_measurement",
    metadata,
    Column("measurement_id", Integer, primary_key=True, autoincrement=True),
    Column("holding", String(100), nullable=False, index=True),
    Column("measured_at", DateTime(timezone=True), nullable=False),
    Column("present", Boolean, nullable=False),
    Column("rows", BigInteger, nullable=False),
    Column("covered_rows", BigInteger, nullable=False),
    Column("compared_values", BigInteger, nullable=False),
    Column("agreeing_values", BigInteger, nullable=False),
    Column("timed_values", BigInteger, nullable=False),
    Column("stale_values", BigInteger, nullable=False),
    Column("coverage", Float, nullable=True),
    Column("agreement", Float, nullable=True),
    Column("staleness", Float, nullable=True),
    Column("last_access", DateTime(timezone=True), nullable=True),
    Column("last_access_known", Boolean, nullable=False),
    Column("details", JSON, nullable=False),
)

retirement_plan = Table(
    "retirement_plan",
    metadata,
    Column("plan_id", String(120), primary_key=True),
    Column("holding", String(100), nullable=False, index=True),
    Column("measurement_id", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False),
    Column("document", JSON, nullable=False),
)

# A steward's recorded decision: without a row here a plan is never executed.
retirement_approval = Table(
    "retirement_approval",
    metadata,
    Column("plan_id", String(120), primary_key=True),
    Column("approved_by", String(100), nullable=False),
    Column("approved_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
)

# How far a retirement (or restore) has got: the step last completed, so a rerun resumes there.
retirement_step = Table(
    "retirement_step",
    metadata,
    Column("plan_id", String(120), primary_key=True),
    Column("step", String(20), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("manifest", JSON, nullable=True),
)
