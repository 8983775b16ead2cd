"""Event headers: who produced an event, what it is, when it happened and which trace it belongs to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

KafkaHeaders = list[tuple[str, bytes]]


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class EventHeaders:
    subject: str
    agency: str
    schema_version: int
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: str = field(default_factory=now_iso)
    trace_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_kafka(self) -> KafkaHeaders:
        return [
            ("event_id", self.event_id.encode()),
            ("agency", self.agency.encode()),
            ("subject", self.subject.encode()),
            ("schema_version", str(self.schema_version).encode()),
            ("occurred_at", self.occurred_at.encode()),
            ("trace_id", self.trace_id.encode()),
        ]


def headers_dict(headers: KafkaHeaders | None) -> dict[str, str]:
    """Kafka headers as text; undecodable values are shown in hex rather than dropped."""
    result: dict[str, str] = {}
    for key, value in headers or []:
        if value is None:
            result[key] = ""
            continue
        try:
            result[key] = value.decode("utf-8")
        except UnicodeDecodeError:
            result[key] = "0x" + value.hex()
    return result
