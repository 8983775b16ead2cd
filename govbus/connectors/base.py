"""The two shapes of a connector: a source reads an agency's records, a sink writes events back.

A connector is declarative: class attributes say what it is and what it can do, and one or two
methods do the work. The runner owns everything else (mapping, publishing through the SDK, the
cursor), so every kind gets schema checks, contracts, quarantine and dead letters the same way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterator

from kafka.structs import TopicPartition

from govbus.bus.receipt import Rejection
from govbus.bus.subscriber import Event
from govbus.connectors.definition import ConnectorDefinition
from govbus.project import Project
from govbus.settings import KafkaSettings


@dataclass
class SourceBatch:
    """Rows read from the source, and the position to resume after once the bus has them.

    ``handle`` is what the source needs to acknowledge the batch (the outbox ids to mark sent,
    the file to move); it is not stored. ``origins`` name where each row came from (its key and
    version at the source), so a batch sent again after a crash carries the same event ids.
    """

    rows: list[Any]
    position: Any
    handle: Any = None
    origins: list[str] | None = None


@dataclass
class BatchOutcome:
    """What became of one batch: every row read is sent, quarantined, rejected or failed."""

    read: int = 0
    sent: int = 0
    quarantined: int = 0
    failed: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def balanced(self) -> bool:
        return self.read == self.sent + self.quarantined + self.rejected + self.failed

    def add(self, other: "BatchOutcome", *, offset: int = 0) -> None:
        """Add another batch's counts; its row numbers are shifted by ``offset``."""
        self.read += other.read
        self.sent += other.sent
        self.quarantined += other.quarantined
        self.failed += other.failed
        self.rejections += [_shifted(r, offset) for r in other.rejections]

    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "sent": self.sent,
            "quarantined": self.quarantined,
            "rejected": self.rejected,
            "failed": self.failed,
        }


def _shifted(rejection: Rejection, offset: int) -> Rejection:
    return Rejection(
        rejection.record_number + offset, rejection.reason, rejection.message, rejection.field, rejection.dead_lettered
    )


class Source(ABC):
    """Reads an agency's records in batches, each ending at a position the runner stores."""

    kind: ClassVar[str]

    # Capabilities, read by lint and by the runner:
    # reads a database table or query (the definition needs url:, table: or query:, and key:)
    reads_database: ClassVar[bool] = True
    # resumes after the stored position; without it every run reads everything
    incremental: ClassVar[bool] = True
    # mode: snapshot re-reads everything on each run
    snapshot: ClassVar[bool] = False
    # mode: incremental needs cursor: (a column that grows with every change)
    needs_cursor: ClassVar[bool] = False
    # the next batches can be read and packed in a forked process while this one is published:
    # reading does not depend on acknowledging (nothing is marked or moved at the source), and
    # ``acknowledge`` needs only the batch's position (it gets the batch without its rows)
    read_ahead: ClassVar[bool] = False

    def __init__(self, definition: ConnectorDefinition, project: Project, settings: KafkaSettings | None = None) -> None:
        """``settings`` reach the broker, for sources that read from it (change data capture)."""
        self.definition = definition
        self.project = project
        self.settings = settings or KafkaSettings()

    @abstractmethod
    def batches(self, position: Any) -> Iterator[SourceBatch]:
        """Batches after ``position`` (``None``: from the start), in the order they must be sent."""

    def acknowledge(self, batch: SourceBatch, outcome: BatchOutcome) -> Any:
        """The broker holds the batch: make that durable at the source (mark sent, move a file).

        Returns the position the runner stores, which is the batch's own unless the source adds to it.
        """
        return batch.position

    def after_fork(self) -> None:
        """Called in the forked process that reads ahead, before it reads: the connections it
        inherited are this process's parent's, and must be neither used nor closed there."""

    def close(self) -> None:
        """Release connections; called once the run ends, also after an error."""


class Sink(ABC):
    """Writes a topic's events into an agency's store: events are added, then flushed together."""

    kind: ClassVar[str]

    # Capabilities:
    # writing the same events again leaves the same rows (it upserts by key)
    idempotent: ClassVar[bool] = False
    # stores the offsets it has written in the same transaction as the rows (exactly-once)
    stores_offsets: ClassVar[bool] = False

    def __init__(self, definition: ConnectorDefinition, project: Project) -> None:
        self.definition = definition
        self.project = project

    @abstractmethod
    def add(self, event: Event) -> None:
        """Take one event; nothing need be written before ``flush``."""

    @abstractmethod
    def flush(self) -> int:
        """Write every event added since the last flush in one transaction; return how many."""

    def advance(self, topic: str, partition: int, offset: int) -> None:
        """Count a message as done without a row (it was dead-lettered)."""

    def positions(self, topics: list[str]) -> dict[TopicPartition, int]:
        """Where to resume reading each partition; partitions left out are read from the start."""
        return {}
