"""What wakes ``land_events``: the bus watcher fires on an event the store has not landed yet.

The Kafka provider's trigger runs in Airflow's triggerer, reads the agency topics with a group
of its own and calls ``unlanded_event`` on each message; a truthy answer becomes an Asset event
that schedules a landing run. Firing on every message would queue a run per event; firing only
on messages beyond the positions landing has stored means a burst wakes one or two runs, and no
event is left waiting: one not yet landed when seen always fires.
"""

from __future__ import annotations

import os
from functools import lru_cache

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from govbus.errors import GovbusError
from govbus.land import LAND_GROUP, stored_positions
from govbus.project import Project
from govbus.store import Store
from govbus.store.tables import consumer_offset


class _LandedPositions:
    """Landing's stored positions, re-read only when a message is at or past the cached one.

    Positions only move forward, so a message before a cached position is landed for sure.
    """

    def __init__(self, project: Project, store: Store) -> None:
        self.project = project
        self.store = store
        self.next_offsets: dict[tuple[str, int], int] = {}

    def landed(self, topic: str, partition: int, offset: int) -> bool:
        if offset < self.next_offsets.get((topic, partition), 0):
            return True
        try:
            self._refresh()
        except (GovbusError, SQLAlchemyError):
            # Unsure means fire: the landing run will meet the fault and report it.
            return False
        return offset < self.next_offsets.get((topic, partition), 0)

    def _refresh(self) -> None:
        with self.store.begin() as connection:
            if not inspect(connection).has_table(consumer_offset.name):
                return
        positions = stored_positions(self.store, LAND_GROUP, sorted(self.project.topics))
        self.next_offsets = {(p.topic, p.partition): offset for p, offset in positions.items()}


@lru_cache(maxsize=4)
def _positions(project_dir: str, store_url: str | None) -> _LandedPositions:
    # Keyed by the variables project_and_store reads: one cache per project and store.
    from govbus.orchestration.runtime import project_and_store

    return _LandedPositions(*project_and_store())


def unlanded_event(message) -> dict | None:
    """The trigger's ``apply_function``: where the message is, if the store has not landed it."""
    watcher = _positions(os.environ.get("GOVBUS_PROJECT", ""), os.environ.get("GOVBUS_STORE_URL"))
    topic, partition, offset = message.topic(), message.partition(), message.offset()
    if topic not in watcher.project.topics or watcher.landed(topic, partition, offset):
        return None
    return {"topic": topic, "partition": partition, "offset": offset}
