"""The store's shared metadata and the core tables every area relies on.

Each area (contracts, reconciliation, holdings...) declares its own tables on ``metadata`` in its
own package and ships its own Alembic branch, so areas evolve without touching each other.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()

# Where each consumer group has got to, committed in the same transaction as the rows it wrote:
# that is what makes landing exactly-once.
consumer_offset = Table(
    "consumer_offset",
    metadata,
    Column("group_id", String(200), primary_key=True),
    Column("topic", String(249), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("next_offset", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# How far each source connector has read; advanced only after the broker acknowledged the events.
connector_cursor = Table(
    "connector_cursor",
    metadata,
    Column("connector", String(200), primary_key=True),
    Column("cursor_value", Text, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
