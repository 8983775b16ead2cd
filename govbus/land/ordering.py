"""Which of two versions of a row is newer, so replays and late events never roll a row back.

Within one partition Kafka's offsets order events for certain. Across partitions (a key moves
when a topic grows partitions, or a sink is keyed by another field) offsets mean nothing, and
the time the event says it occurred decides instead. Python and SQL apply the same rule: Python
within a batch, SQL against what is already stored.
"""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import ColumnElement, and_, not_, or_

from govbus.store.upsert import Row

# A table with these columns gets the guard; one without is upserted last-write-wins.
ORDER_COLUMNS = frozenset({"_topic", "_partition", "_offset", "_occurred_at"})


def is_newer(incoming: Row, held: Row) -> bool:
    """Whether ``incoming`` should replace ``held`` (both rows carrying the landing columns)."""
    if (incoming["_topic"], incoming["_partition"]) == (held["_topic"], held["_partition"]):
        return incoming["_offset"] > held["_offset"]
    return incoming["_occurred_at"] >= held["_occurred_at"]


def newer_event(stored: Any, incoming: Mapping[str, ColumnElement]) -> ColumnElement[bool]:
    """``is_newer`` in SQL; a stored row without landing metadata always gives way."""
    same_partition = and_(stored["_topic"] == incoming["_topic"], stored["_partition"] == incoming["_partition"])
    return or_(
        stored["_offset"].is_(None),
        and_(same_partition, incoming["_offset"] > stored["_offset"]),
        and_(not_(same_partition), incoming["_occurred_at"] >= stored["_occurred_at"]),
    )
