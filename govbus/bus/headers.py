"""Event headers: who produced an event, what it is, when it happened and which trace it belongs to."""

from __future__ import annotations

import itertools
import os
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
    # Event ids must be unique, not secret: a random UUID per batch, then the next ones counted on
    # in its low 48 bits. One urandom call per batch rather than per event (os.urandom dominated
    # publishing on virtual machines), and no per-event UUID object or 128-bit formatting.
    seed = "%032x" % (int.from_bytes(os.urandom(16), "big") & _UUID4_KEEP | _UUID4_SET)
    prefix = f"{seed[:8]}-{seed[8:12]}-{seed[12:16]}-{seed[16:20]}-".encode()
    counter = itertools.count(int(seed[20:], 16))
    clock = _millisecond_clock()

    def make(event_id: str | None = None) -> KafkaHeaders:
        if event_id is None:
            return [("event_id", b"%s%012x" % (prefix, next(counter) & _LOW_48)), ("occurred_at", clock()), *fixed]
        return [("event_id", event_id.encode()), ("occurred_at", clock()), *fixed]

    return make


# The version (4) and variant (RFC 4122) bits of a random UUID, and its last group.
_UUID4_KEEP = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)
_LOW_48 = (1 << 48) - 1


def _millisecond_clock() -> Callable[[], bytes]:
    """``now_iso()`` as bytes, for a stream of events: formatted once per millisecond (many
    events share one) and the date and time once per second."""
    last = [-1, b""]
    second_formatted = [-1, b""]

    def now() -> bytes:
        milliseconds = time.time_ns() // 1_000_000
        if milliseconds == last[0]:
            return last[1]
        second, millisecond = divmod(milliseconds, 1000)
        if second != second_formatted[0]:
            stamp = datetime.fromtimestamp(second, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
            second_formatted[:] = [second, stamp.encode()]
        last[:] = [milliseconds, b"%s.%03d+00:00" % (second_formatted[1], millisecond)]
        return last[1]

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
