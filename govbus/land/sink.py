"""The SQL table sink: upserts events into a table and stores the consumer offsets with the rows.

It has the ``add``/``flush`` shape of quix-streams' sinks. The same class lands the bus into the
store (``govbus land``) and writes a subscribed topic into an agency's own table (a connector
sink): rows and offsets commit in one transaction, so a crash never lands an event twice.
"""

from __future__ import annotations

from datetime import datetime, timezone
from operator import itemgetter
from typing import Callable, Mapping, Sequence

from sqlalchemy import Connection, MetaData, String, Table

from govbus.bus.subscriber import Event
from govbus.errors import SchemaViolation
from govbus.land.offsets import OffsetLedger
from govbus.land.ordering import ORDER_COLUMNS, is_newer, newer_event
from govbus.land.tables import landing_columns
from govbus.store.bulk import bulk_upsert
from govbus.store.engine import Store
from govbus.store.upsert import Row

LAND_GROUP = "govbus.land"

# Runs inside the batch's transaction just before the upsert, with the rows about to land.
# It may write through the connection (in the same transaction); raising refuses the batch:
# no row lands and no offset moves.
BatchHook = Callable[[Table, list[Row], Connection], None]

_LANDING = [column.name for column in landing_columns()]


class TableSink:
    """Upserts events into ``table`` by ``key_columns``; ``flush`` commits rows and offsets together.

    Args:
        store: The store holding ``table`` and the ``consumer_offset`` table.
        table: The table, or its name to reflect it from the store.
        key_columns: The table's primary key (or unique) columns.
        columns: Table column -> record field; by default every table column named like a field.
            Landing columns (``_topic``, ``_offset``...) present in the table are filled in too, and
            with them an older event never overwrites a newer row.
        group_id: Whose offsets these are in ``consumer_offset``.
        on_batch: A ``BatchHook`` (contract checks) run on every batch before it lands.

    If ``flush`` raises, nothing was written: resume from ``stored_positions`` and add again.
    """

    def __init__(
        self,
        store: Store,
        table: Table | str,
        key_columns: Sequence[str],
        columns: Mapping[str, str] | None = None,
        *,
        group_id: str = LAND_GROUP,
        on_batch: BatchHook | None = None,
    ) -> None:
        self.store = store
        self.table = table if isinstance(table, Table) else Table(table, MetaData(), autoload_with=store.engine)
        self.key_columns = list(key_columns)
        present = set(self.table.c.keys())
        fields = {c.name: c.name for c in self.table.columns if c.name not in _LANDING}
        self.columns = dict(columns) if columns is not None else fields
        self.landing = [name for name in _LANDING if name in present]
        self.guarded = ORDER_COLUMNS <= present
        self._fields = list(self.columns.items())
        # Columns named like their fields (landed tables): rows are built by copying the record.
        self._blank = dict.fromkeys(self.columns) if all(c == f for c, f in self._fields) else None
        # How to build a row from a record, per writer schema: every record one writer's events
        # decode to has the same fields, so the choice is made once, not per event.
        self._builders: dict[bytes, Callable[[Mapping], Row]] = {}
        # PostgreSQL text cannot hold NUL, so a value carrying one would fail the whole batch.
        self._nul_free = [c.name for c in self.table.columns if c.name in self.columns and isinstance(c.type, String)]
        self._refuse_nul = store.dialect == "postgresql" and bool(self._nul_free)
        if self._refuse_nul:
            self._texts = itemgetter(*self._nul_free, self._nul_free[0])  # a tuple, however few columns
        self._every_landing_column = len(self.landing) == len(_LANDING)
        # A scalar for one key column, a tuple for several: either identifies the row in a batch.
        self._key = itemgetter(*self.key_columns)
        self.offsets = OffsetLedger(group_id)
        self.on_batch = on_batch
        self._pending: dict[object, Row] = {}
        self._added = 0

    def add(self, event: Event) -> None:
        """Take in one event; of several with the same key, the newest is kept.

        Raises ``SchemaViolation`` (and takes nothing in) for an event the table cannot hold, so
        the caller dead-letters that one event rather than fail the batch.
        """
        record = event.record
        build = self._builders.get(event.writer.fingerprint) or self._builder(event)
        row = build(record)
        # One scan of all the row's text, in C; the columns are gone through only on a hit.
        if self._refuse_nul and "\x00" in "".join(map(str, self._texts(row))):
            _refuse_nul(row, self._nul_free)
        if self._every_landing_column:
            _stamp(row, event)
        elif self.landing:
            stamp: dict[str, object] = {}
            _stamp(stamp, event)
            row.update((name, stamp[name]) for name in self.landing if name in stamp)
        key = self._key(row)
        held = self._pending.get(key)
        if held is None or not self.guarded or is_newer(row, held):
            self._pending[key] = row
        self._added += 1
        self.offsets.advance(event.topic, event.partition, event.offset)

    def _builder(self, event: Event) -> Callable[[Mapping], Row]:
        blank, fields = self._blank, self._fields
        if blank is not None and not self.landing and event.record.keys() == blank.keys():
            # The record is the row: nothing is added to it (no landing columns), so it is not copied.
            build = lambda record: record  # noqa: E731
        elif blank is not None and event.record.keys() <= blank.keys():
            build = lambda record: {**blank, **record}  # noqa: E731
        else:
            build = lambda record: {column: record.get(field) for column, field in fields}  # noqa: E731
        self._builders[event.writer.fingerprint] = build
        return build

    def advance(self, topic: str, partition: int, offset: int) -> None:
        """Count a message as done without a row (it was dead-lettered); its offset is stored too."""
        self.offsets.advance(topic, partition, offset)

    def write(self, connection: Connection) -> int:
        """Upsert what was added, and its offsets, in ``connection``'s transaction; returns events written."""
        rows = list(self._pending.values())
        if rows:
            if "_landed_at" in self.landing:
                landed_at = datetime.now(timezone.utc)
                for row in rows:
                    row["_landed_at"] = landed_at
            if self.on_batch:
                self.on_batch(self.table, rows, connection)
            bulk_upsert(connection, self.table, rows, self.key_columns, newer=newer_event if self.guarded else None)
        self.offsets.write(connection)
        written, self._added = self._added, 0
        self._pending.clear()
        return written

    def flush(self) -> int:
        """Write what was added, with its offsets, in one transaction of its own; returns events written."""
        with self.store.begin() as connection:
            return self.write(connection)


def _refuse_nul(row: Row, columns: list[str]) -> None:
    for name in columns:
        value = row[name]
        if value.__class__ is str and "\x00" in value:
            raise SchemaViolation(
                f"field {name!r} holds a NUL character at position {value.index(chr(0))}; PostgreSQL text cannot store it",
                field=name,
                reason="nul_character",
            )


def _stamp(row: dict, event: Event) -> None:
    """Write where the event came from into ``row`` (every landing column but ``_landed_at``)."""
    headers = event.headers
    row["_event_id"] = headers.get("event_id")
    row["_agency"] = headers.get("agency")
    row["_schema_version"] = event.writer.version
    row["_topic"] = event.topic
    row["_partition"] = event.partition
    row["_offset"] = event.offset
    row["_occurred_at"] = _occurred_at(event)


def _occurred_at(event: Event) -> datetime:
    """When the producer says the event happened (with its zone), else when the broker stamped it."""
    try:
        moment = datetime.fromisoformat(event.headers.get("occurred_at") or "")
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        return datetime.fromtimestamp(event.timestamp_ms / 1000, tz=timezone.utc)
    # Kept in UTC, so that SQLite (which stores no zone) compares moments correctly.
    return moment if moment.tzinfo is timezone.utc else moment.astimezone(timezone.utc)
