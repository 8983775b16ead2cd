"""SQL table source: an agency table (or query) read by a cursor column, in any SQLAlchemy dialect.

Incremental runs page through ``ORDER BY cursor, key`` and resume strictly after the last
``(cursor, key)`` acknowledged, so rows sharing one cursor value (many rows updated in the same
second) are neither skipped nor read twice. The cursor column must be NOT NULL and grow with
every change (``updated_at`` set by the application or a trigger, or an increasing id), and the
key must be unique. A row whose change commits later than rows with a higher cursor value (a
long transaction) can be passed over; agencies with such writers should use the outbox or CDC.
Deleted rows are not seen either: that also needs the outbox or CDC.
"""

from __future__ import annotations

from typing import Any, Iterator

from sqlalchemy import Connection, MetaData, Table, and_, column, or_, select, text, true
from sqlalchemy.exc import NoSuchTableError

from govbus.connectors.base import Source, SourceBatch
from govbus.connectors.definition import ConnectorDefinition, Mode
from govbus.connectors.state import decode_value, encode_value
from govbus.errors import ConfigurationError
from govbus.project import Project
from govbus.settings import KafkaSettings
from govbus.store.engine import Store

_INHERITED_POOLS: list = []


def reflect_table(connection: Connection, name: str) -> Table:
    """The agency's table as the database describes it; ``schema.table`` names a schema."""
    schema, _, table_name = name.rpartition(".")
    try:
        return Table(table_name, MetaData(), autoload_with=connection, schema=schema or None)
    except NoSuchTableError:
        raise ConfigurationError(f"table {name!r} does not exist in {Store(str(connection.engine.url))}") from None


class SqlTableSource(Source):
    kind = "sql_table"
    snapshot = True
    needs_cursor = True
    read_ahead = True

    def __init__(self, definition: ConnectorDefinition, project: Project, settings: KafkaSettings | None = None) -> None:
        super().__init__(definition, project, settings)
        if not (definition.table or definition.query) or not definition.key:
            raise ConfigurationError(f"connector {definition.name}: a sql_table source needs table: (or query:) and key:")
        if definition.mode is Mode.incremental and not definition.cursor:
            raise ConfigurationError(f"connector {definition.name}: an incremental sql_table source needs cursor:")
        self.database = Store(definition.database_url())
        self.incremental_run = definition.mode is Mode.incremental
        self._rows = None

    def after_fork(self) -> None:
        engine = self.database.engine
        # The pool the parent filled is kept referenced, so none of its connections is closed
        # (or collected, which closes it) from here; this process opens connections of its own.
        _INHERITED_POOLS.append(engine.pool)
        engine.dispose(close=False)

    def batches(self, position: Any) -> Iterator[SourceBatch]:
        size, key, cursor = self.definition.batch_size, self.definition.key, self.definition.cursor
        while True:
            with self.database.begin() as connection:
                rows = self._source(connection)
                statement = select(rows).where(self._after(rows, position)).order_by(*self._order(rows)).limit(size)
                result = connection.execute(statement)
                # Plain dicts: the mapping reads each column by name, and a driver row's
                # mapping view costs about a microsecond per lookup.
                names = list(result.keys())
                found = [dict(zip(names, row)) for row in result]
            if not found:
                return
            position = self._position_of(found[-1])
            # The row's key and cursor value: a changed row is a new event, a re-read one the same.
            origins = [f"{row[key]} {row[cursor]}" for row in found] if cursor else [str(row[key]) for row in found]
            yield SourceBatch(found, position, origins=origins)
            if len(found) < size:
                return

    def _source(self, connection: Connection):
        """The rows to read: the reflected table's needed columns, or the query as a subquery."""
        if self._rows is not None:
            return self._rows
        wanted, optional = self._columns()
        if self.definition.query:
            query = text(self.definition.query).columns(*(column(name) for name in wanted + optional))
            self._rows = query.subquery("agency_rows")
            return self._rows
        table = reflect_table(connection, self.definition.table)
        missing = [name for name in wanted if name not in table.c]
        if missing:
            raise ConfigurationError(
                f"connector {self.definition.name}: table {self.definition.table} has no column {missing[0]!r} "
                f"(columns: {', '.join(table.c.keys())})"
            )
        picked = [table.c[name] for name in wanted + optional if name in table.c]
        self._rows = select(*picked).subquery("agency_rows")
        return self._rows

    def _columns(self) -> tuple[list[str], list[str]]:
        """Columns the definition names (they must exist), and schema fields read by name if present."""
        definition = self.definition
        named = [definition.key] + ([definition.cursor] if definition.cursor else [])
        mapped = [name for spec in definition.columns().values() for name in spec.source_columns]
        optional: list[str] = []
        if not definition.mapping:
            topic = self.project.topic(definition.topic_name(self.project))
            optional = self.project.registry.get(topic.subject).field_names
        wanted = list(dict.fromkeys(named + mapped))
        return wanted, [name for name in dict.fromkeys(optional) if name not in wanted]

    def _order(self, rows) -> list:
        key = rows.c[self.definition.key]
        return [rows.c[self.definition.cursor], key] if self.incremental_run else [key]

    def _after(self, rows, position: Any):
        if position is None:
            return true()
        key, last_key = rows.c[self.definition.key], decode_value(position["key"])
        if not self.incremental_run:
            return key > last_key
        cursor, last_cursor = rows.c[self.definition.cursor], decode_value(position["cursor"])
        # The leading ``cursor >= last`` is implied by the rest, but it is what lets the database
        # range-scan an index on (cursor, key) in order and stop at the limit; without it the OR
        # made PostgreSQL sort the whole remainder of the table for every batch.
        return and_(cursor >= last_cursor, or_(cursor > last_cursor, and_(cursor == last_cursor, key > last_key)))

    def _position_of(self, row) -> dict[str, Any]:
        position = {"key": encode_value(row[self.definition.key])}
        if self.incremental_run:
            position["cursor"] = encode_value(row[self.definition.cursor])
        return position
