"""Event headers: who produced an event, what it is, when it happened and which trace it belongs to."""

from __future__ import annotations

import os
import random
import uuid
from datetime import datetime, timezone
from typing import Callable

KafkaHeaders = list[tuple[str, bytes]]

# Every event carries these headers; landed rows and contracts may refer to them by name.
ENVELOPE_HEADERS = ("event_id", "agency", "subject", "schema_version", "occurred_at", "trace_id")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def event_headers(
    subject: str, agency: str, schema_version: int, trace_id: str | None = None
) -> Callable[..., KafkaHeaders]:
    """A maker of each event's headers: an event id (fresh unless given) and the time, the rest
    fixed for the batch. A source that may resend after a crash gives deterministic ids, so the
    copies can be recognised downstream.

    One publish call is one trace unless the caller continues an existing one.
    """
    fixed = [
        ("agency", agency.encode()),
        ("subject", subject.encode()),
        ("schema_version", str(schema_version).encode()),
        ("trace_id", (trace_id or uuid.uuid4().hex).encode()),
    ]

    # Event ids must be unique, not secret: one urandom seed per batch, not one syscall per event
    # (os.urandom dominated publishing on virtual machines).
    bits = random.Random(os.urandom(32)).getrandbits

    def make(event_id: str | None = None) -> KafkaHeaders:
        event_id = event_id or str(uuid.UUID(int=bits(128), version=4))
        return [("event_id", event_id.encode()), ("occurred_at", now_iso().encode()), *fixed]

    return make


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
