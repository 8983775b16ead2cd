"""Consumer positions kept in the store, beside the rows they produced.

Kafka's own committed offsets live apart from the database, so a crash between the two writes
lands an event twice or never. Keeping the position in the same transaction as the rows makes
the pair atomic: after any crash the store says exactly where to resume.
"""

from __future__ import annotations

from datetime import datetime, timezone

from kafka.structs import TopicPartition
from sqlalchemy import Connection, select

from govbus.store.engine import Store
from govbus.store.tables import consumer_offset
from govbus.store.upsert import upsert


class OffsetLedger:
    """The next offset to read per partition, for what a sink has taken in since its last write."""

    def __init__(self, group_id: str) -> None:
        self.group_id = group_id
        self._next: dict[tuple[str, int], int] = {}

    def advance(self, topic: str, partition: int, offset: int) -> None:
        key = (topic, partition)
        if offset >= self._next.get(key, 0):
            self._next[key] = offset + 1

    def write(self, connection: Connection) -> None:
        """Store the positions inside ``connection``'s transaction; a position never moves back."""
        now = datetime.now(timezone.utc)
        rows = [
            {"group_id": self.group_id, "topic": topic, "partition": partition, "next_offset": offset, "updated_at": now}
            for (topic, partition), offset in sorted(self._next.items())
        ]
        upsert(
            connection,
            consumer_offset,
            rows,
            ["group_id", "topic", "partition"],
            newer=lambda stored, incoming: incoming["next_offset"] > stored["next_offset"],
        )
        self._next.clear()


def stored_positions(store: Store, group_id: str, topics: list[str]) -> dict[TopicPartition, int]:
    """Where ``group_id`` resumes on each partition of ``topics`` it has landed from before."""
    query = select(consumer_offset.c.topic, consumer_offset.c.partition, consumer_offset.c.next_offset).where(
        consumer_offset.c.group_id == group_id, consumer_offset.c.topic.in_(topics)
    )
    with store.begin() as connection:
        return {TopicPartition(topic, partition): offset for topic, partition, offset in connection.execute(query)}
