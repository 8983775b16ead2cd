"""SQL table sink: a subscribed topic upserted into an agency's own table.

It is the landing's ``TableSink`` (one implementation for both), pointed at the agency's
database: rows are upserted by key and the offsets are written to a ``consumer_offset`` table in
that same database, in the same transaction, so a rerun after a crash writes nothing twice.
"""

from __future__ import annotations

from kafka.structs import TopicPartition

from govbus.bus.subscriber import Event
from govbus.connectors.base import Sink
from govbus.connectors.definition import ConnectorDefinition
from govbus.connectors.sql_table import reflect_table
from govbus.errors import ConfigurationError
from govbus.land import TableSink, stored_positions
from govbus.project import Project
from govbus.store.engine import Store
from govbus.store.tables import consumer_offset


class SqlTableSink(Sink):
    kind = "sql_table"
    idempotent = True
    stores_offsets = True

    def __init__(self, definition: ConnectorDefinition, project: Project) -> None:
        super().__init__(definition, project)
        if not definition.table or not definition.key:
            raise ConfigurationError(f"connector {definition.name}: a sql_table sink needs table: and key:")
        columns = {}
        for field, spec in definition.columns().items():
            if not spec.column or spec.transform:
                raise ConfigurationError(
                    f"connector {definition.name} mapping.{field}: a sink writes each field to one column, untransformed"
                )
            columns[spec.column] = field
        self.database = Store(definition.database_url())
        self.group_id = f"govbus.connector.{definition.name}"
        with self.database.begin() as connection:
            # The offsets must sit in the agency's database for rows and offsets to commit together.
            consumer_offset.create(connection, checkfirst=True)
            table = reflect_table(connection, definition.table)
        if not columns:
            # Only the columns named like fields: the agency's other columns are left as they are.
            fields = project.registry.get(project.topic(definition.topic_name(project)).subject).field_names
            columns = {name: name for name in table.c.keys() if name in fields}
        self.table = TableSink(self.database, table, [definition.key], columns, group_id=self.group_id)

    def add(self, event: Event) -> None:
        self.table.add(event)

    def flush(self) -> int:
        return self.table.flush()

    def advance(self, topic: str, partition: int, offset: int) -> None:
        self.table.advance(topic, partition, offset)

    def positions(self, topics: list[str]) -> dict[TopicPartition, int]:
        return stored_positions(self.database, self.group_id, topics)
