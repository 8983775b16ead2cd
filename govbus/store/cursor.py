"""Durable connector cursors: how far each source connector has read.

A connector sets its cursor only after the broker acknowledged the events it read, so a crash
re-reads (and the sink's upsert absorbs the repeat) rather than skipping rows. Passing the
connection of a wider transaction commits the cursor together with other writes.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Connection, select

from govbus.store.engine import Store
from govbus.store.tables import connector_cursor
from govbus.store.upsert import upsert


def get_cursor(store: Store, connector: str) -> str | None:
    """The connector's stored cursor, or ``None`` if it has never run."""
    with store.begin() as connection:
        return connection.execute(
            select(connector_cursor.c.cursor_value).where(connector_cursor.c.connector == connector)
        ).scalar_one_or_none()


def set_cursor(store: Store, connector: str, value: str | None, *, connection: Connection | None = None) -> None:
    """Store the connector's cursor; inside ``connection``'s transaction when one is given."""
    row = {"connector": connector, "cursor_value": value, "updated_at": datetime.now(timezone.utc)}
    if connection is not None:
        upsert(connection, connector_cursor, [row], ["connector"])
        return
    with store.begin() as own:
        upsert(own, connector_cursor, [row], ["connector"])
