"""Upserts for any dialect: ``INSERT ... ON CONFLICT`` where the database has it, a merge elsewhere.

A ``Newer`` guard decides, row by row, whether the incoming version may replace the stored one,
so replaying old data never rolls a row back.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import Connection, ColumnElement, Table, and_, bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

Row = Mapping[str, Any]

# ``newer(stored_columns, incoming)`` -> a condition that is true where incoming should win.
# ``incoming`` maps a column name to the incoming value as a SQL expression.
Newer = Callable[[Any, Mapping[str, ColumnElement]], ColumnElement[bool]]

_ON_CONFLICT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}

# Keys per lookup statement in the portable merge: well under every dialect's parameter limit.
_LOOKUP_CHUNK = 500


def upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[Row],
    key_columns: Sequence[str],
    *,
    newer: Newer | None = None,
) -> None:
    """Insert ``rows``, or update the stored row with the same key where ``newer`` allows.

    Every row carries the same columns, and no two rows share a key.
    """
    if not rows:
        return
    dialect_insert = _ON_CONFLICT.get(connection.dialect.name)
    if dialect_insert is None:
        merge(connection, table, rows, key_columns, newer=newer)
        return
    _execute_many(connection, on_conflict(dialect_insert(table), list(rows[0]), key_columns, newer), table, rows)


def on_conflict(statement, names: Sequence[str], key_columns: Sequence[str], newer: Newer | None):
    """An ``INSERT`` (PostgreSQL or SQLite) that updates the row with the same key where ``newer`` allows."""
    changed = {name: statement.excluded[name] for name in names if name not in key_columns}
    if not changed:
        return statement.on_conflict_do_nothing(index_elements=list(key_columns))
    where = newer(statement.table.c, statement.excluded) if newer else None
    return statement.on_conflict_do_update(index_elements=list(key_columns), set_=changed, where=where)


def _execute_many(connection: Connection, statement, table: Table, rows: Sequence[Row]) -> None:
    """Run ``statement`` once per row through the driver's own ``executemany``.

    SQLAlchemy's per-row parameter handling costs several times SQLite's insert itself. The
    columns' bind processors still convert each value, exactly as SQLAlchemy would.
    """
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect, column_keys=list(rows[0]))
    order = compiled.positiontup
    if not order or not set(order) <= rows[0].keys():
        # A named paramstyle or parameters beyond the rows' columns: let SQLAlchemy bind them.
        connection.execute(statement, list(rows))
        return
    convert = [(i, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for i, name in enumerate(order)]
    convert = [(i, f) for i, f in convert if f is not None]
    values_of = values_getter(order)
    parameters = []
    for row in rows:
        values = list(values_of(row))
        for i, f in convert:
            values[i] = f(values[i])
        parameters.append(tuple(values))
    connection.exec_driver_sql(compiled.string, parameters)


def values_getter(names: Sequence[str]) -> Callable[[Row], tuple]:
    """A function giving a row's values as a tuple in ``names`` order (``itemgetter``, at C speed)."""
    if len(names) == 1:
        return lambda row: (row[names[0]],)
    return itemgetter(*names)


def merge(
    connection: Connection,
    table: Table,
    rows: Sequence[Row],
    key_columns: Sequence[str],
    *,
    newer: Newer | None = None,
) -> None:
    """The portable upsert: look up which keys exist, update those (guarded), insert the rest.

    Used for dialects without ``ON CONFLICT``. Two writers inserting the same new key at once make
    one of them fail with an integrity error; its transaction rolls back and a rerun succeeds.
    """
    if not rows:
        return
    stored = _stored_keys(connection, table, rows, key_columns)
    fresh = [row for row in rows if tuple(row[k] for k in key_columns) not in stored]
    known = [row for row in rows if tuple(row[k] for k in key_columns) in stored]
    if fresh:
        connection.execute(table.insert(), fresh)
    changed = [name for name in rows[0] if name not in key_columns]
    if known and changed:
        incoming = {name: bindparam(f"incoming_{name}") for name in rows[0]}
        matches = [table.c[k] == incoming[k] for k in key_columns]
        if newer:
            matches.append(newer(table.c, incoming))
        statement = update(table).where(and_(*matches)).values({name: incoming[name] for name in changed})
        connection.execute(statement, [{f"incoming_{name}": value for name, value in row.items()} for row in known])


def _stored_keys(connection: Connection, table: Table, rows: Sequence[Row], key_columns: Sequence[str]) -> set[tuple]:
    columns = [table.c[k] for k in key_columns]
    stored: set[tuple] = set()
    for start in range(0, len(rows), _LOOKUP_CHUNK):
        chunk = rows[start : start + _LOOKUP_CHUNK]
        if len(columns) == 1:
            condition = columns[0].in_([row[key_columns[0]] for row in chunk])
        else:
            condition = or_(*(and_(*(c == row[c.name] for c in columns)) for row in chunk))
        stored.update(tuple(found) for found in connection.execute(select(*columns).where(condition)))
    return stored
