"""One micro-batch of landing for ``land_events``, and the rows it landed, read back for checks.

A batch is named by offsets, not times: per topic and partition, the positions the store held
before and after the run. Reading a batch back by those ranges gives the same rows on a retry.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd
from sqlalchemy import MetaData, Table, and_, or_, select

from govbus.bus.headers import ENVELOPE_HEADERS
from govbus.land import LAND_GROUP, land, landed_table_name, stored_positions
from govbus.project import Project
from govbus.settings import KafkaSettings
from govbus.store import Store

# Events per DAG run at most, so one run stays short and the next picks up the rest.
RUN_LIMIT = 200_000


@dataclass
class LandedBatch:
    """What one landing run took: its receipt, and the offsets it covered per topic and partition."""

    receipt: dict
    offsets: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, str]:
        """Landed table of each topic that got rows in this batch."""
        return {topic: counts["table"] for topic, counts in self.receipt["topics"].items() if counts["landed"]}

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "LandedBatch":
        return cls(**data)


def land_new_events(
    project: Project, store: Store, *, settings: KafkaSettings | None = None, idle_timeout_s: float = 2.0, max_events: int = RUN_LIMIT
) -> LandedBatch:
    """Land what the bus holds for every project topic, up to ``max_events``; exactly once, as ``land``."""
    # Idempotent, and it brings a deployed store up to the engine's tables before the first run.
    store.migrate()
    topics = sorted(project.topics)
    before = stored_positions(store, LAND_GROUP, topics)
    receipt = land(project, store, topics, settings=settings or KafkaSettings(), idle_timeout_s=idle_timeout_s, max_events=max_events)
    offsets: dict[str, dict[str, list[int]]] = {}
    for position, next_offset in stored_positions(store, LAND_GROUP, topics).items():
        first = before.get(position, 0)
        if next_offset > first:
            # Partition numbers become text keys in XCom's JSON anyway.
            offsets.setdefault(position.topic, {})[str(position.partition)] = [first, next_offset]
    return LandedBatch(receipt.to_dict(), offsets)


def batch_rows(store: Store, topic: str, offsets: dict[str, list[int]] | None = None) -> pd.DataFrame:
    """The landed rows of ``topic``, only those from ``offsets`` if given, with envelope names.

    Landed tables prefix envelope columns (``_occurred_at``); contracts name them as the event
    headers do (``occurred_at``), so the frame carries both.
    """
    table = Table(landed_table_name(topic), MetaData(), autoload_with=store.engine)
    query = select(table)
    if offsets is not None:
        query = query.where(
            or_(*(and_(table.c._partition == int(p), table.c._offset >= first, table.c._offset < end) for p, (first, end) in offsets.items()))
        )
    with store.begin() as connection:
        frame = pd.read_sql(query, connection)
    envelope = {f"_{name}": name for name in ENVELOPE_HEADERS if f"_{name}" in frame and name not in frame}
    return frame.assign(**{name: frame[column] for column, name in envelope.items()})
