"""Writing a run's rows in bulk: a full run writes a row per record and per value, so no row may
cost a statement or a pass through SQLAlchemy's per-row parameter handling.

On PostgreSQL with psycopg 3 the rows go in by binary COPY; elsewhere by one driver-level
``executemany`` with each column's own bind processing applied column by column.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import JSON, Connection, Table, insert

from govbus.store.bulk import copy_rows


def insert_frame(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    """Insert every row of ``frame`` (columns named as ``table``'s) into ``table``; missing values as NULL."""
    if frame.empty:
        return
    # In key order, each row lands beside the last in the key's index instead of at a random page.
    frame = frame.sort_values([c.name for c in table.primary_key.columns if c.name in frame.columns])
    names = list(frame.columns)
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        from psycopg.types.json import Json

        columns = {name: _values(frame[name], Json if isinstance(table.c[name].type, JSON) else None) for name in names}
        copy_rows(connection, dialect.identifier_preparer.format_table(table), names, zip(*(columns[name] for name in names)))
        return
    # Each column's own bind processing (times as text on SQLite, documents as JSON), not SQLAlchemy's per row.
    columns = {name: _values(frame[name], table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names}
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    if compiled.positional:
        rows = list(zip(*(columns[name] for name in compiled.positiontup)))
    else:
        rows = [dict(zip(names, values)) for values in zip(*(columns[name] for name in names))]
    connection.exec_driver_sql(str(compiled), rows)


def _values(column: pd.Series, process: Callable[[Any], Any] | None) -> list:
    """The column's values as the driver takes them, ``process``-ed; None for missing."""
    if pd.api.types.is_datetime64_any_dtype(column):
        # Converted once per distinct moment: a run's rows share a handful (its own time, the events').
        codes, distinct = pd.factorize(column)
        plain = [*(map(process, distinct.to_pydatetime()) if process else distinct.to_pydatetime()), None]
        return [plain[code] for code in codes.tolist()]
    values = column.astype(object).where(column.notna(), None).tolist()
    return [None if value is None else process(value) for value in values] if process else values
