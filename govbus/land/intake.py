"""Taking polled events into sinks: each one lands, is held by its contract, or is dead-lettered.

Landing (``land``) and the connector sinks share it, so both refuse the same events in the same
way and every message consumed is counted once. One event a sink cannot store (a NUL in a
PostgreSQL text column) is dead-lettered with its field and rule; the rest of the batch lands.
"""

from __future__ import annotations

from collections import Counter
from typing import Mapping, Protocol

from kafka.consumer.fetcher import ConsumerRecord

from govbus import codec
from govbus.bus.subscriber import Event, Subscriber
from govbus.contracts.consume import ConsumeGate
from govbus.errors import SchemaViolation


class Taker(Protocol):
    """What the intake needs of a sink: the landing's ``TableSink`` and connector sinks both fit."""

    def add(self, event: Event) -> None: ...

    def advance(self, topic: str, partition: int, offset: int) -> None: ...


class Intake:
    """Feeds one subscriber's events to the sink of each topic and counts the batch in progress.

    With ``contract_gate`` each event is first checked against its topic's contract, as the
    publisher checks it: a breach is quarantined or dead-lettered as the contract says
    (``ConsumeGate``), and never reaches the table. With ``keep_events`` the events taken in are
    kept until ``settle``, for the audit entry of the batch.
    """

    def __init__(self, sinks: Mapping[str, Taker], *, contract_gate: bool = False, keep_events: bool = False) -> None:
        self.sinks = sinks
        self.contract_gate = contract_gate
        self.keep_events = keep_events
        self.subscriber: Subscriber | None = None
        self.gate: ConsumeGate | None = None
        self.dead_lettered: Counter[str] = Counter()
        self.quarantined: Counter[str] = Counter()
        self.events: list[Event] = []

    def attach(self, subscriber: Subscriber) -> None:
        self.subscriber = subscriber
        if self.contract_gate:
            self.gate = ConsumeGate(subscriber)

    def take(self, events: list[Event]) -> None:
        gate, kept = self.gate, self.events if self.keep_events else None
        for event in events:
            sink = self.sinks[event.topic]
            if gate is not None and not self._admitted(gate, event):
                sink.advance(event.topic, event.partition, event.offset)
                continue
            try:
                sink.add(event)
            except SchemaViolation as exc:
                self.dead_letter(_as_message(event, self.subscriber), exc)
                continue
            if kept is not None:
                kept.append(event)

    def dead_letter(self, message: ConsumerRecord, exc: SchemaViolation) -> None:
        """Dead-letter a message that cannot land (undecodable, or not storable); its offset counts as done."""
        self.subscriber.dead_letter(message, exc)
        self.sinks[message.topic].advance(message.topic, message.partition, message.offset)
        self.dead_lettered[message.topic] += 1

    def flush(self) -> None:
        """Make dead letters and held events durable: before the offsets that pass them are stored."""
        if self.gate is not None:
            self.gate.flush()
        # This subscriber has no Kafka group to commit to: commit only flushes its dead letters.
        self.subscriber.commit()

    def settled(self, topic: str | None = None) -> int:
        """Messages of the batch in progress that were dead-lettered or quarantined, not landed."""
        if topic is not None:
            return self.dead_lettered[topic] + self.quarantined[topic]
        return sum(self.dead_lettered.values()) + sum(self.quarantined.values())

    def settle(self) -> None:
        """The batch is committed: start counting the next one."""
        self.dead_lettered.clear()
        self.quarantined.clear()
        self.events.clear()

    def close(self) -> None:
        if self.gate is not None:
            self.gate.close()

    def _admitted(self, gate: ConsumeGate, event: Event) -> bool:
        held = gate.counts["quarantined"]
        if gate.admit(event):
            return True
        if gate.counts["quarantined"] > held:
            self.quarantined[event.topic] += 1
        else:
            self.dead_lettered[event.topic] += 1
        return False


def _as_message(event: Event, subscriber: Subscriber) -> ConsumerRecord:
    """The event as the message it came in (re-encoded with the reader's schema), for the dead-letter topic."""
    payload = codec.encode(event.record, subscriber.readers[event.topic], checked=False)
    headers = [(name, value.encode()) for name, value in event.headers.items()]
    key = event.key.encode() if event.key is not None else None
    return ConsumerRecord(
        event.topic, event.partition, -1, event.offset, event.timestamp_ms, 0, key, payload, headers, None, -1, len(payload), -1
    )
