"""Per-record enforcement at consume: the same compiled checks the publisher runs.

A consumer cannot trust that every producer ran the checks (or ran this version of the
contract), so it asks the gate about each event before landing it::

    with Subscriber(project, [topic], group_id="landing") as subscriber, ConsumeGate(subscriber) as gate:
        for event in subscriber.events():
            if gate.admit(event):
                land(event.record)
            gate.flush()  # before the subscriber commits past held or dead-lettered events
"""

from __future__ import annotations

from collections import Counter

from govbus import codec
from govbus.bus import clients
from govbus.bus.dead_letter import DeadLetter, dead_letter_topic
from govbus.bus.quarantine import QuarantineNote, quarantine_topic
from govbus.bus.subscriber import Event, Subscriber
from govbus.contracts import checks_for
from govbus.contracts.quarantine import RELEASED_HEADER
from govbus.contracts.rules import RecordCheck, breach_of
from govbus.errors import ContractViolation


class ConsumeGate:
    """Admits, quarantines or dead-letters each consumed event as its contract says."""

    def __init__(self, subscriber: Subscriber, checks: dict[str, list[RecordCheck]] | None = None) -> None:
        self.subscriber = subscriber
        self.checks = checks_for(subscriber.project) if checks is None else checks
        self.counts: Counter[str] = Counter()
        self._producer = None

    def breach(self, event: Event) -> ContractViolation | None:
        """The contract breach this event carries, or ``None``; events a steward released pass."""
        if RELEASED_HEADER in event.headers:
            return None
        return breach_of(self.checks.get(event.topic, []), event.record)

    def admit(self, event: Event) -> bool:
        """True when the consumer should process the event (it kept the rules, or only warned)."""
        breach = self.breach(event)
        if breach is None or breach.action == "warn":
            self.counts["warned" if breach else "admitted"] += 1
            return True
        payload = codec.encode(event.record, self.subscriber.readers[event.topic], checked=False)
        headers = [(k, v.encode()) for k, v in event.headers.items()]
        where = {"source_partition": event.partition, "source_offset": event.offset}
        if breach.action == "quarantine":
            headers = QuarantineNote.of(breach, stage="consume", source_topic=event.topic, **where).to_kafka(headers)
            destination = quarantine_topic(event.topic)
        else:
            letter = DeadLetter(stage="consume", reason=breach.reason, error=str(breach), source_topic=event.topic, field=breach.field, **where)
            headers = letter.to_kafka(headers)
            destination = dead_letter_topic(event.topic)
        self._send(destination, payload, event.key, headers)
        self.counts["quarantined" if breach.action == "quarantine" else "rejected"] += 1
        return False

    def _send(self, topic: str, payload: bytes, key: str | None, headers) -> None:
        if self._producer is None:
            self._producer = clients.producer(self.subscriber.settings)
        self._producer.send(topic, value=payload, key=key.encode() if key else None, headers=headers)

    def flush(self) -> None:
        """Make held and dead-lettered events durable; call before committing offsets."""
        if self._producer is not None:
            with clients.broker_faults("flushing contract breaches"):
                self._producer.flush()

    def close(self) -> None:
        self.flush()
        if self._producer is not None:
            self._producer.close()

    def __enter__(self) -> "ConsumeGate":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
