"""Dead letters: what could not be published or read goes to ``<topic>.dlq`` with its reason.

A dead letter keeps the original bytes (or, at publish time, the original JSON record) so that a
steward can see exactly what arrived, and ``govbus dlq replay`` can try it again once fixed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from typing import Any

from govbus.bus.headers import KafkaHeaders, headers_dict, now_iso

PREFIX = "dlq."
SUFFIX = ".dlq"


def dead_letter_topic(topic: str) -> str:
    return topic + SUFFIX


def source_topic_of(dlq_topic: str) -> str:
    return dlq_topic.removesuffix(SUFFIX)


@dataclass(frozen=True)
class DeadLetter:
    """Why a message was dead-lettered, and where it came from."""

    stage: str  # "publish" or "consume"
    reason: str
    error: str
    source_topic: str
    field: str | None = None
    source_partition: int | None = None
    source_offset: int | None = None
    record_number: int | None = None
    attempt: int = 1
    dead_lettered_at: str = dataclass_field(default_factory=now_iso)

    def to_kafka(self, original: KafkaHeaders | None = None) -> KafkaHeaders:
        # Original headers are kept so the event id and trace survive the detour.
        kept = [(k, v) for k, v in original or [] if not k.startswith(PREFIX)]
        ours = [(PREFIX + k, str(v).encode()) for k, v in asdict(self).items() if v is not None]
        return kept + ours

    @classmethod
    def from_kafka(cls, headers: KafkaHeaders | None) -> "DeadLetter":
        values = {k.removeprefix(PREFIX): v for k, v in headers_dict(headers).items() if k.startswith(PREFIX)}
        ints = {"source_partition", "source_offset", "record_number", "attempt"}
        known = {name: (int(values[name]) if name in ints else values[name]) for name in cls.__dataclass_fields__ if name in values}
        known.setdefault("stage", "unknown")
        known.setdefault("reason", "unknown")
        known.setdefault("error", "")
        known.setdefault("source_topic", "")
        return cls(**known)


@dataclass(frozen=True)
class DeadLetterMessage:
    """A message as it sits in a dead-letter topic."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    payload: bytes | None
    letter: DeadLetter
    original_headers: dict[str, str]

    def to_dict(self, preview: int = 200) -> dict[str, Any]:
        payload = self.payload or b""
        try:
            shown = payload.decode("utf-8")
        except UnicodeDecodeError:
            shown = "0x" + payload.hex()
        return {
            "dlq_topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "key": self.key.decode("utf-8", "replace") if self.key else None,
            **asdict(self.letter),
            "payload": shown[:preview],
            "payload_bytes": len(payload),
            "event_id": self.original_headers.get("event_id"),
        }
