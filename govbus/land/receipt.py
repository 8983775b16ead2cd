"""What a landing run did: every message consumed either landed or was dead-lettered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class TopicLanding:
    table: str
    landed: int = 0
    dead_lettered: int = 0
    # Held by its contract (``land(contract_gate=True)``), on the topic's quarantine twin.
    quarantined: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {**vars(self), "consumed": self.landed + self.dead_lettered + self.quarantined}


@dataclass
class LandingReceipt:
    """Counts only what was committed: a batch counts once its rows and offsets are in the store.

    ``consumed`` is the consumer's own count of messages read, so ``balanced`` checks that each
    one landed, was dead-lettered, or was quarantined by its contract.
    """

    group_id: str
    topics: dict[str, TopicLanding] = field(default_factory=dict)
    consumed: int = 0
    batches: int = 0
    seconds: float = 0.0

    @property
    def landed(self) -> int:
        return sum(t.landed for t in self.topics.values())

    @property
    def dead_lettered(self) -> int:
        return sum(t.dead_lettered for t in self.topics.values())

    @property
    def quarantined(self) -> int:
        return sum(t.quarantined for t in self.topics.values())

    @property
    def balanced(self) -> bool:
        return self.consumed == self.landed + self.dead_lettered + self.quarantined

    def to_dict(self) -> dict[str, Any]:
        return {
            "group_id": self.group_id,
            "consumed": self.consumed,
            "landed": self.landed,
            "dead_lettered": self.dead_lettered,
            "quarantined": self.quarantined,
            "balanced": self.balanced,
            "batches": self.batches,
            "seconds": round(self.seconds, 3),
            "events_per_s": round(self.consumed / self.seconds) if self.seconds else 0,
            "topics": {name: t.to_dict() for name, t in sorted(self.topics.items())},
        }
