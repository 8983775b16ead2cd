"""Writing a run's rows in bulk: a full run writes a row per record and per value, so no row may
cost a statement or a pass through SQLAlchemy's per-row parameter handling.

The rows go in through the store's ``insert_columns`` (binary COPY on PostgreSQL with psycopg 3,
one driver-level ``executemany`` elsewhere), each column converted for the driver column by column.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Table

from govbus.store.bulk import driver_conversion, insert_columns


def insert_frame(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    """Insert every row of ``frame`` (columns named as ``table``'s) into ``table``; missing values as NULL."""
    if frame.empty:
        return
    # In key order, each row lands beside the last in the key's index instead of at a random page.
    frame = frame.sort_values([c.name for c in table.primary_key.columns if c.name in frame.columns])
    insert_columns(connection, table, {name: _values(frame[name], driver_conversion(connection, table.c[name])) for name in frame.columns})


def _values(column: pd.Series, process: Callable[[Any], Any] | None) -> list:
    """The column's values as the driver takes them, ``process``-ed; None for missing."""
    if pd.api.types.is_datetime64_any_dtype(column):
        # Converted once per distinct moment: a run's rows share a handful (its own time, the events').
        codes, distinct = pd.factorize(column)
        plain = [*(map(process, distinct.to_pydatetime()) if process else distinct.to_pydatetime()), None]
        return [plain[code] for code in codes.tolist()]
    values = column.astype(object).where(column.notna(), None).tolist()
    return [None if value is None else process(value) for value in values] if process else values
