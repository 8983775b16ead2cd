"""Event headers: who produced an event, what it is, when it happened and which trace it belongs to."""

from __future__ import annotations

import os
import random
import time
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
    clock = _millisecond_clock()

    def make(event_id: str | None = None) -> KafkaHeaders:
        if event_id is None:
            # uuid.UUID(int=..., version=4) spelled out: building the object cost more than the rest.
            digits = "%032x" % (bits(128) & _UUID4_KEEP | _UUID4_SET)
            event_id = f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
        return [("event_id", event_id.encode()), ("occurred_at", clock()), *fixed]

    return make


# The version (4) and variant (RFC 4122) bits of a random UUID.
_UUID4_KEEP = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def _millisecond_clock() -> Callable[[], bytes]:
    """``now_iso()`` as bytes, for a stream of events: the date and time are formatted once per
    second and only the milliseconds per call."""
    second_formatted = [-1, b""]

    def now() -> bytes:
        second, millisecond = divmod(time.time_ns() // 1_000_000, 1000)
        if second != second_formatted[0]:
            stamp = datetime.fromtimestamp(second, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
            second_formatted[:] = [second, stamp.encode()]
        return b"%s.%03d+00:00" % (second_formatted[1], millisecond)

    return now


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
