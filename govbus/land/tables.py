"""Landed tables: one per topic, shaped by the subject's newest schema, created at first use.

Columns a newer schema version adds are added to the table as nullable columns (rows landed
before have no value for them), so landing keeps up with schema evolution without a migration.
Landed tables are not on the store's shared ``MetaData``: they follow the schemas, not the
Alembic history.
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, Table, Text, inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import CreateTable

from govbus.errors import ConfigurationError, RetriableError
from govbus.land.columns import field_columns
from govbus.project import Topic
from govbus.schemas.version import SchemaVersion
from govbus.store.engine import Store

PREFIX = "land_"
# PostgreSQL truncates identifiers beyond 63 bytes; longer names are shortened with a hash.
MAX_NAME = 63


def landing_columns() -> list[Column]:
    """Where each row came from: with these the sink refuses to roll a row back to an older event."""
    return [
        Column("_event_id", Text),
        Column("_agency", Text),
        Column("_schema_version", Integer),
        Column("_topic", Text),
        Column("_partition", Integer),
        Column("_offset", BigInteger),
        Column("_occurred_at", DateTime(timezone=True)),
        Column("_landed_at", DateTime(timezone=True)),
    ]


def landed_table_name(topic: str) -> str:
    """``population.person.registered`` lands in ``land_population_person_registered``."""
    name = PREFIX + re.sub(r"[^a-z0-9_]", "_", topic.lower())
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha1(topic.encode()).hexdigest()[:10]
    return f"{name[: MAX_NAME - len(digest) - 1]}_{digest}"


def landed_table(store: Store, topic: Topic, reader: SchemaVersion) -> Table:
    """The topic's landed table, created or widened to ``reader``'s fields if need be."""
    name = landed_table_name(topic.name)
    columns = field_columns(reader, [topic.key])
    clashes = {c.name for c in columns} & {c.name for c in landing_columns()}
    if clashes:
        raise ConfigurationError(f"{reader.subject} fields {sorted(clashes)} clash with the landing columns of {name}")
    table = Table(name, MetaData(), *columns, *landing_columns())
    _ensure(store, table)
    return table


def _ensure(store: Store, table: Table) -> None:
    # Landers may start at once: the loser of a race fails its DDL, looks again and finds it done.
    for attempt in range(2):
        try:
            with store.begin() as connection:
                existing = inspect(connection)
                if not existing.has_table(table.name):
                    connection.execute(CreateTable(table, if_not_exists=True))
                    return
                present = {c["name"] for c in existing.get_columns(table.name)}
                missing = [c for c in table.columns if c.name not in present]
                if missing:
                    _add_columns(connection, table.name, missing)
            return
        except (SQLAlchemyError, RetriableError):
            if attempt:
                raise


def _add_columns(connection, table_name: str, columns: list[Column]) -> None:
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    operations = Operations(MigrationContext.configure(connection))
    for column in columns:
        operations.add_column(table_name, Column(column.name, column.type, nullable=True))
