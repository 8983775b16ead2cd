"""The chain: each entry's hash covers its content and the hash of the entry before it.

Changing, removing or reordering an entry breaks every hash after it; ``audit_head`` records the
newest hash, so cutting entries off the end shows too. Entries may also carry an HMAC-SHA256
signature by a key kept outside the database (as X-Road signs its message log), so whoever can
write to the table still cannot forge a chain that verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from typing import Any, Iterable

GENESIS = "0" * 64
MAX_SUBJECT_LENGTH = 200


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, ASCII only: one text per value, and no NUL byte the store would refuse."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)


def stored_subject_ids(values: Iterable[object]) -> list[str]:
    """The distinct, non-empty ids an entry is about, as stored: text without NULs, at most 200 chars."""
    cleaned = {str(value).replace("\x00", "")[:MAX_SUBJECT_LENGTH] for value in values if value not in (None, "")}
    return sorted(cleaned - {""})


def subjects_digest(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One audit entry as stored; ``entry_hash`` is computed from every field above it."""

    seq: int
    recorded_at: str
    kind: str
    actor: str
    agreement_ref: str | None
    details: str
    subject_count: int
    subjects_digest: str
    previous_hash: str
    entry_hash: str = ""
    signature: str | None = None

    def content(self) -> dict[str, Any]:
        body = asdict(self)
        del body["entry_hash"], body["signature"]
        return body

    def computed_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.content()).encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "details": json.loads(self.details)}


def sign(entry_hash: str, key: bytes) -> str:
    return hmac.new(key, entry_hash.encode(), hashlib.sha256).hexdigest()


def signature_holds(entry: Entry, key: bytes) -> bool:
    return entry.signature is not None and hmac.compare_digest(entry.signature, sign(entry.entry_hash, key))
