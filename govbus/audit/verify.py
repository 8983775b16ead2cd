"""Verifying the audit chain: every modified, removed, reordered or forged entry is named.

Each entry is checked on its own (its hash, its subjects, its signature) and against the one
before it (its sequence number and previous hash), so one tampered entry is reported once rather
than as every entry after it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterator

from sqlalchemy import select

from govbus.audit.chain import GENESIS, Entry, signature_holds, subjects_digest
from govbus.audit.log import HEAD_ROW
from govbus.audit.tables import audit_entry, audit_head, audit_subject
from govbus.store import Store

CHUNK = 2000


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    problem: str  # modified, subjects, missing, relinked, forged, truncated, anchor
    detail: str


@dataclass
class ChainReport:
    checked: int = 0
    signed: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {**asdict(self), "intact": self.intact}


def verify_chain(store: Store, *, key: bytes | None = None, expect_head: str | None = None) -> ChainReport:
    """Walk the whole chain; with ``key`` every signature is checked, with ``expect_head`` the head
    is compared to an anchor kept outside the database (which is what catches a cut-off tail that
    was re-headed by someone holding the key)."""
    report = ChainReport()
    seq, previous = 0, GENESIS
    for entry, subjects in _walk(store):
        report.checked += 1
        if entry.seq != seq + 1:
            report.problems.append(ChainProblem(entry.seq, "missing", f"entries {seq + 1}..{entry.seq - 1} are gone"))
        elif entry.previous_hash != previous:
            report.problems.append(ChainProblem(entry.seq, "relinked", "its previous hash is not the hash of the entry before it: moved, replaced or reordered"))
        if entry.computed_hash() != entry.entry_hash:
            report.problems.append(ChainProblem(entry.seq, "modified", "its content does not match its hash"))
        if (len(subjects), subjects_digest(subjects)) != (entry.subject_count, entry.subjects_digest):
            report.problems.append(ChainProblem(entry.seq, "subjects", f"{len(subjects)} subject id(s) stored, {entry.subject_count} recorded, or changed"))
        if key is not None:
            if signature_holds(entry, key):
                report.signed += 1
            else:
                report.problems.append(ChainProblem(entry.seq, "forged", "unsigned, or not signed with this key"))
        seq, previous = entry.seq, entry.entry_hash
    with store.begin() as connection:
        head = connection.execute(select(audit_head.c.seq, audit_head.c.entry_hash).where(audit_head.c.id == HEAD_ROW)).one_or_none()
    report.head_seq, report.head_hash = head if head else (0, GENESIS)
    if (report.head_seq, report.head_hash) != (seq, previous):
        report.problems.append(ChainProblem(report.head_seq, "truncated", f"the head says entry {report.head_seq}, the chain ends at {seq}"))
    if expect_head is not None and expect_head != report.head_hash:
        report.problems.append(ChainProblem(report.head_seq, "anchor", f"the head hash is not the anchored {expect_head[:16]}…"))
    return report


def _walk(store: Store) -> Iterator[tuple[Entry, list[str]]]:
    """Entries in seq order, each with its stored subject ids, a chunk at a time."""
    after = -1
    while True:
        with store.begin() as connection:
            rows = connection.execute(select(audit_entry).where(audit_entry.c.seq > after).order_by(audit_entry.c.seq).limit(CHUNK)).mappings().all()
            if not rows:
                return
            last = rows[-1]["seq"]
            subjects: dict[int, list[str]] = {}
            query = select(audit_subject.c.seq, audit_subject.c.subject_id).where(audit_subject.c.seq > after, audit_subject.c.seq <= last)
            for entry_seq, subject_id in connection.execute(query):
                subjects.setdefault(entry_seq, []).append(subject_id)
        for row in rows:
            yield Entry(**row), sorted(subjects.get(row["seq"], []))
        after = last
