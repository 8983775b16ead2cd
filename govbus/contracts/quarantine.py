"""Stewards' decisions on quarantined events: list what is held, release it or reject it.

The events stay in ``<topic>.quarantine``; each decision is recorded in the store, so a decided
event is never offered again and the counts reconcile: held = released + rejected + pending.
Each decision also leaves an entry in the audit log, under the agreement the events broke.
A release republishes the held bytes to the topic unchanged, bypassing the rule that held them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import insert, select

from govbus import audit, codec
from govbus.bus import clients
from govbus.bus.quarantine import PREFIX, QuarantineNote, quarantine_topic
from govbus.bus.replay import read_to_end
from govbus.contracts.tables import quarantine_decision
from govbus.errors import ConfigurationError, SchemaViolation
from govbus.project import Project
from govbus.settings import KafkaSettings
from govbus.store import Store

# Set on a released event so consumers' contract gates let it through: a steward has decided.
RELEASED_HEADER = "steward.released_from"


@dataclass(frozen=True)
class HeldEvent:
    """One quarantined event, with why it was held and what a steward decided (``None``: pending)."""

    partition: int
    offset: int
    key: bytes | None
    payload: bytes
    headers: list[tuple[str, bytes]]
    note: QuarantineNote
    decision: str | None
    record: dict[str, Any] | None

    @property
    def address(self) -> str:
        return f"{self.partition}:{self.offset}"

    def to_dict(self) -> dict[str, Any]:
        note = self.note
        return {
            "partition": self.partition,
            "offset": self.offset,
            "key": self.key.decode("utf-8", "replace") if self.key else None,
            "decision": self.decision or "pending",
            "agreement": note.agreement,
            "clause": note.clause,
            "rule": note.rule,
            "field": note.field,
            "value": note.value,
            "stage": note.stage,
            "error": note.error,
            "quarantined_at": note.quarantined_at,
            "record": self.record,
        }


@dataclass(frozen=True)
class QuarantineCounts:
    held: int
    released: int
    rejected: int
    pending: int

    @property
    def balanced(self) -> bool:
        return self.held == self.released + self.rejected + self.pending

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "balanced": self.balanced}


class Quarantine:
    """One topic's quarantine: the held events in Kafka, the decisions in the store."""

    def __init__(self, project: Project, topic: str, store: Store, settings: KafkaSettings | None = None) -> None:
        self.project = project
        self.topic = project.topic(topic)
        self.held_topic = quarantine_topic(self.topic.name)
        self.store = store
        self.settings = settings or KafkaSettings()

    def events(self) -> list[HeldEvent]:
        """Everything held now, decided or not, oldest first."""
        decided = self._decisions()
        held = []
        for message in read_to_end(self.settings, self.held_topic):
            try:
                record = codec.decode(message.value, self.project.registry).record
            except SchemaViolation:
                record = None
            held.append(
                HeldEvent(
                    message.partition,
                    message.offset,
                    message.key,
                    message.value,
                    list(message.headers or []),
                    QuarantineNote.from_kafka(message.headers),
                    decided.get((message.partition, message.offset)),
                    record,
                )
            )
        return held

    def pending(self) -> list[HeldEvent]:
        return [event for event in self.events() if event.decision is None]

    def counts(self) -> QuarantineCounts:
        return self.counts_of(self.events())

    @staticmethod
    def counts_of(events: list[HeldEvent]) -> QuarantineCounts:
        tally = {"released": 0, "rejected": 0, None: 0}
        for event in events:
            tally[event.decision] += 1
        return QuarantineCounts(len(events), tally["released"], tally["rejected"], tally[None])

    def release(self, offsets: list[int] | None, *, decided_by: str, reason: str | None = None, partition: int = 0) -> list[HeldEvent]:
        """Republish the chosen pending events (all of them when ``offsets`` is ``None``) unchanged."""
        chosen = self._choose(offsets, partition)
        if not chosen:
            return []
        producer = clients.producer(self.settings)
        try:
            sent = []
            for event in chosen:
                kept = [(k, v) for k, v in event.headers if not k.startswith(PREFIX)]
                headers = kept + [(RELEASED_HEADER, f"{self.held_topic}:{event.address}".encode())]
                sent.append(producer.send(self.topic.name, value=event.payload, key=event.key, headers=headers))
            with clients.broker_faults(f"releasing to {self.topic.name}"):
                producer.flush()
                metadata = [future.get(timeout=30) for future in sent]
        finally:
            producer.close()
        # Recorded only after the broker has the events: a crash in between offers them again
        # (at least once); consumers tell a second copy by its event id.
        self._record(chosen, "released", decided_by, reason, [(m.partition, m.offset) for m in metadata])
        return chosen

    def reject(self, offsets: list[int], *, decided_by: str, reason: str, partition: int = 0) -> list[HeldEvent]:
        """Refuse the chosen pending events for good; they stay in the quarantine topic as evidence."""
        chosen = self._choose(offsets, partition)
        self._record(chosen, "rejected", decided_by, reason, [(None, None)] * len(chosen))
        return chosen

    def _choose(self, offsets: list[int] | None, partition: int) -> list[HeldEvent]:
        pending = self.pending()
        if offsets is None:
            return pending
        by_offset = {(e.partition, e.offset): e for e in pending}
        missing = [o for o in offsets if (partition, o) not in by_offset]
        if missing:
            raise ConfigurationError(
                f"{self.held_topic} has no pending event at partition {partition} offset(s) {missing}; "
                f"pending: {', '.join(e.address for e in pending) or 'none'}"
            )
        return [by_offset[(partition, o)] for o in offsets]

    def _decisions(self) -> dict[tuple[int, int], str]:
        query = select(quarantine_decision.c.partition, quarantine_decision.c.offset, quarantine_decision.c.decision).where(
            quarantine_decision.c.topic == self.held_topic
        )
        with self.store.begin() as connection:
            return {(p, o): d for p, o, d in connection.execute(query)}

    def _record(self, events: list[HeldEvent], decision: str, decided_by: str, reason: str | None, targets: list[tuple]) -> None:
        if not events:
            return
        now = datetime.now(timezone.utc)
        rows = [
            {
                "topic": self.held_topic,
                "partition": event.partition,
                "offset": event.offset,
                "decision": decision,
                "reason": reason,
                "decided_by": decided_by,
                "decided_at": now,
                "agreement_ref": event.note.agreement,
                "clause": event.note.clause,
                "rule": event.note.rule,
                "field": event.note.field,
                "released_to_partition": target[0],
                "released_to_offset": target[1],
            }
            for event, target in zip(events, targets)
        ]
        details = {
            "decision": decision,
            "topic": self.held_topic,
            "released_to": self.topic.name if decision == "released" else None,
            "events": [event.address for event in events],
            "clauses": sorted({f"{e.note.clause} {e.note.rule} {e.note.field or ''}".strip() for e in events}),
            "reason": reason,
        }
        subjects = [event.to_dict()["key"] for event in events]
        with self.store.begin() as connection:
            connection.execute(insert(quarantine_decision), rows)
            # One topic is held under one contract, so its events share the agreement they broke.
            audit.record(None, audit.Kind.quarantine, decided_by, subjects, events[0].note.agreement, details, connection=connection)

