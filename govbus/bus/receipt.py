"""What a publish did: every record read is sent, rejected or failed, and the counts add up."""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rejection:
    record_number: int
    reason: str
    message: str
    field: str | None = None
    dead_lettered: bool = False

    def __str__(self) -> str:
        where = f" field {self.field!r}" if self.field else ""
        return f"record {self.record_number}{where}: {self.message}"


@dataclass
class PartitionRange:
    first_offset: int
    last_offset: int
    count: int = 1

    def add(self, offset: int) -> None:
        self.first_offset = min(self.first_offset, offset)
        self.last_offset = max(self.last_offset, offset)
        self.count += 1


@dataclass
class PublishReceipt:
    topic: str
    subject: str
    schema_version: int
    agency: str
    read: int = 0
    sent: int = 0
    quarantined: int = 0
    failed: int = 0
    warnings: int = 0
    breaches: dict[str, int] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    partitions: dict[int, PartitionRange] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def dead_lettered(self) -> int:
        return sum(1 for r in self.rejections if r.dead_lettered)

    @property
    def balanced(self) -> bool:
        return self.read == self.sent + self.quarantined + self.rejected + self.failed

    def note_breach(self, breach: Any) -> None:
        """Count a quarantined or warned contract breach by agreement clause and rule."""
        key = f"{breach.agreement} {breach.clause} {breach.rule}"
        self.breaches[key] = self.breaches.get(key, 0) + 1
        if breach.action == "warn":
            self.warnings += 1

    def settle(self, futures: deque, *, quarantined: bool = False, done_only: bool = False) -> None:
        """Count acknowledged sends (with their offsets, for the main topic) and failed ones,
        taking them off ``futures``; with ``done_only``, only up to the first still in flight.

        A long publish settles as it goes: holding every send's future to the end kept hundreds
        of thousands of objects alive, and the garbage collector's full passes over them cost
        more than the checks and encoding."""
        while futures and (futures[0].is_done or not done_only):
            future = futures.popleft()
            if not future.succeeded():
                self.failed += 1
                if len(self.failures) < 10:
                    self.failures.append(str(future.exception))
            elif quarantined:
                self.quarantined += 1
            else:
                self.sent += 1
                self.record_offset(future.value.partition, future.value.offset)

    def record_offset(self, partition: int, offset: int) -> None:
        if partition in self.partitions:
            self.partitions[partition].add(offset)
        else:
            self.partitions[partition] = PartitionRange(offset, offset)

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "subject": self.subject,
            "schema_version": self.schema_version,
            "agency": self.agency,
            "read": self.read,
            "sent": self.sent,
            "quarantined": self.quarantined,
            "warnings": self.warnings,
            "breaches": self.breaches,
            "rejected": self.rejected,
            "dead_lettered": self.dead_lettered,
            "failed": self.failed,
            "balanced": self.balanced,
            "seconds": round(self.seconds, 3),
            "partitions": {str(p): asdict(r) for p, r in sorted(self.partitions.items())},
            "rejections": [asdict(r) for r in self.rejections],
            "failures": self.failures,
        }
