"""Bulk writes: on PostgreSQL through binary COPY, the fastest way rows get into a table.

``insert_columns`` appends rows given column by column: by COPY on PostgreSQL, elsewhere by one
driver-level ``executemany`` that skips SQLAlchemy's per-row parameter handling. In ``bulk_upsert``
a batch of new keys is COPied straight into the table, and a batch touching stored keys is COPied
into a staging table and merged with one ``INSERT ... ON CONFLICT``, under the same rules as
``upsert``. Either way there is no statement per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Iterable, Sequence

from sqlalchemy import JSON, Column, Connection, Table, column, func, insert, select
from sqlalchemy import table as table_clause
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert

from govbus.errors import RetriableError
from govbus.store.upsert import Newer, Row, on_conflict, upsert, values_getter


def bulk_upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[Row],
    key_columns: Sequence[str],
    *,
    newer: Newer | None = None,
) -> None:
    """``upsert`` for large batches: through COPY on PostgreSQL with psycopg 3, ``upsert`` elsewhere."""
    if rows and _copies(connection):
        _copy_upsert(connection, table, rows, key_columns, newer)
    else:
        upsert(connection, table, rows, key_columns, newer=newer)


def driver_conversion(connection: Connection, table_column: Column) -> Callable[[Any], Any] | None:
    """What ``insert_columns`` needs done to each non-NULL value of ``table_column`` (None: nothing).

    psycopg's JSON wrapper for documents on COPY; elsewhere the column type's own bind processing
    (times as text on SQLite, documents as JSON). Text and integers go to the driver as they are.
    """
    dialect = connection.dialect
    if _copies(connection):
        if isinstance(table_column.type, JSON):
            from psycopg.types.json import Json, Jsonb

            # Binary COPY carries each type's own format: jsonb's is not json's.
            return Jsonb if isinstance(table_column.type.dialect_impl(dialect), JSONB) else Json
        return None
    return table_column.type.dialect_impl(dialect).bind_processor(dialect)


def insert_columns(connection: Connection, table: Table, columns: Mapping[str, Sequence[Any]]) -> None:
    """Insert rows given as equally long columns of ``table``, their values already converted by
    ``driver_conversion``: binary COPY on PostgreSQL with psycopg 3, one ``executemany`` elsewhere."""
    names = list(columns)
    if _copies(connection):
        target = connection.dialect.identifier_preparer.format_table(table)
        copy_rows(connection, target, names, zip(*(columns[name] for name in names)))
        return
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=names)
    if compiled.positional:
        rows: list[Any] = list(zip(*(columns[name] for name in compiled.positiontup)))
    else:
        rows = [dict(zip(names, values)) for values in zip(*(columns[name] for name in names))]
    if rows:
        connection.exec_driver_sql(str(compiled), rows)


@contextmanager
def indexes_built_after(connection: Connection, table: Table, rows: int) -> Iterator[None]:
    """Insert ``rows`` rows into ``table`` with its secondary indexes dropped and built again after,
    when the rows at least double the table: building an index sorts its values once, where
    keeping it up to date puts each new row at a random page of it. In the same transaction, so a
    failed insert leaves the indexes as they were."""
    if rows < max(_REBUILD_FROM, connection.execute(select(func.count()).select_from(table)).scalar_one()):
        yield
        return
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        # The sqlite3 module opens its transaction at the first change of data; a DROP INDEX before
        # that would be committed on its own, and a failed run would leave the table without it.
        connection.exec_driver_sql("BEGIN")
    for index in table.indexes:
        index.drop(connection)
    yield
    for index in table.indexes:
        index.create(connection)


# Below this many rows, keeping the indexes costs less than building them again.
_REBUILD_FROM = 10_000


def _copies(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg"


def copy_rows(connection: Connection, target: str, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Binary COPY of ``rows`` (values in ``names`` order) into ``target``, a quoted table reference.

    Binary, so neither side renders or parses numbers and timestamps as text (PostgreSQL, psycopg 3).
    """
    import psycopg

    types = dict(
        connection.exec_driver_sql(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %(target)s::regclass AND attnum > 0",
            {"target": target},
        ).all()
    )
    listed = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in names)
    try:
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY {target} ({listed}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([types[name] for name in names])
                for values in rows:
                    copy.write_row(values)
    except psycopg.OperationalError as exc:
        raise RetriableError(f"COPY into {target} failed: {exc}") from exc


def _copy_upsert(connection: Connection, table: Table, rows: Sequence[Row], key_columns: Sequence[str], newer: Newer | None) -> None:
    from psycopg.errors import UniqueViolation

    names = list(rows[0])
    target = connection.dialect.identifier_preparer.format_table(table)
    try:
        # New keys only (a first landing): the plain COPY is the upsert. A key already stored, or
        # one another writer just stored, rolls back to the savepoint and the batch is merged.
        with connection.begin_nested():
            copy_rows(connection, target, names, _copy_values(connection, table, names, rows))
        return
    except UniqueViolation:
        pass
    staging = connection.dialect.identifier_preparer.quote(f"staging_{table.name}"[:63])
    # Dropped explicitly so the same table can be merged twice in one transaction;
    # ON COMMIT DROP is the safety net should the merge fail half way.
    connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {staging} (LIKE {target}) ON COMMIT DROP")
    copy_rows(connection, staging, names, _copy_values(connection, table, names, rows))
    source = table_clause(f"staging_{table.name}"[:63], *(column(name) for name in names))
    connection.execute(on_conflict(pg_insert(table).from_select(names, select(*source.c)), names, key_columns, newer))
    connection.exec_driver_sql(f"DROP TABLE {staging}")


def _copy_values(connection: Connection, table: Table, names: list[str], rows: Sequence[Row]) -> Iterable[list[Any]]:
    values_of = values_getter(names)
    conversions = [(i, convert) for i, name in enumerate(names) if (convert := driver_conversion(connection, table.c[name]))]
    if not conversions:
        yield from map(values_of, rows)
        return
    for row in rows:
        values = list(values_of(row))
        for i, convert in conversions:
            if values[i] is not None:
                values[i] = convert(values[i])
        yield values
