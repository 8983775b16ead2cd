"""Bulk upserts: on PostgreSQL through binary COPY, the fastest way rows get into a table.

A batch of new keys is COPied straight into the table. A batch touching stored keys is COPied
into a staging table and merged with one ``INSERT ... ON CONFLICT``, under the same rules as
``upsert``. Either way there is no statement per row.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from sqlalchemy import JSON, Connection, Table, column, select
from sqlalchemy import table as table_clause
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
    if rows and connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        _copy_upsert(connection, table, rows, key_columns, newer)
    else:
        upsert(connection, table, rows, key_columns, newer=newer)


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
            copy_rows(connection, target, names, _copy_values(table, names, rows))
        return
    except UniqueViolation:
        pass
    staging = connection.dialect.identifier_preparer.quote(f"staging_{table.name}"[:63])
    # Dropped explicitly so the same table can be merged twice in one transaction;
    # ON COMMIT DROP is the safety net should the merge fail half way.
    connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {staging} (LIKE {target}) ON COMMIT DROP")
    copy_rows(connection, staging, names, _copy_values(table, names, rows))
    source = table_clause(f"staging_{table.name}"[:63], *(column(name) for name in names))
    connection.execute(on_conflict(pg_insert(table).from_select(names, select(*source.c)), names, key_columns, newer))
    connection.exec_driver_sql(f"DROP TABLE {staging}")


def _copy_values(table: Table, names: list[str], rows: Sequence[Row]) -> Iterable[list[Any]]:
    from psycopg.types.json import Json

    documents = [i for i, name in enumerate(names) if isinstance(table.c[name].type, JSON)]
    values_of = values_getter(names)
    if not documents:
        yield from map(values_of, rows)
        return
    for row in rows:
        values = list(values_of(row))
        for i in documents:
            if values[i] is not None:
                values[i] = Json(values[i])
        yield values
