"""Publishing: validate each record against its subject, key it, encode it and send it durably."""

from __future__ import annotations

import json
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Protocol

from govbus import codec
from govbus.bus import clients
from govbus.bus.dead_letter import DeadLetter, dead_letter_topic
from govbus.bus.headers import KafkaHeaders, event_headers
from govbus.bus.quarantine import QuarantineNote, quarantine_topic
from govbus.bus.receipt import PublishReceipt, Rejection
from govbus.errors import ConfigurationError, ContractViolation, FatalError, SchemaViolation, ViolationError
from govbus.heap import heap_set_aside
from govbus.project import Project, Topic
from govbus.schemas.version import SchemaVersion
from govbus.settings import KafkaSettings


class RecordCheck(Protocol):
    """A per-record rule run before sending; raises a ``ViolationError`` (with ``field``) on breach."""

    def __call__(self, record: dict[str, Any]) -> None: ...


class Publisher:
    """Sends records to a project's topics. One instance holds one producer; close it when done."""

    def __init__(
        self,
        project: Project,
        settings: KafkaSettings | None = None,
        *,
        checks: dict[str, list[RecordCheck]] | None = None,
        **producer_overrides: Any,
    ) -> None:
        self.project = project
        self.settings = settings or KafkaSettings()
        self.checks = checks or {}
        self._producer = clients.producer(self.settings, **producer_overrides)
        # Refused here, per record, rather than by the producer as a failed send; the headers and
        # batch framing need room too, hence the margin.
        self._max_event_bytes = self._producer.config["max_request_size"] - 16 * 1024

    def __enter__(self) -> "Publisher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._producer.close()

    def publish(
        self,
        topic_name: str,
        records: Iterable[dict[str, Any]],
        *,
        agency: str | None = None,
        version: int | None = None,
        dead_letter: bool | None = None,
        on_progress: Callable[[int], None] | None = None,
        trace_id: str | None = None,
        event_ids: Callable[[int, dict[str, Any]], str] | None = None,
    ) -> PublishReceipt:
        """Publish ``records`` to ``topic_name`` and return a receipt once the broker has acknowledged them."""
        plan = self.plan(topic_name, agency=agency, version=version, dead_letter=dead_letter)
        return self.deliver(plan, plan.prepared(records, event_ids=event_ids), trace_id=trace_id, on_progress=on_progress)

    def plan(self, topic_name: str, *, agency: str | None = None, version: int | None = None, dead_letter: bool | None = None) -> "PublishPlan":
        """What publishing to ``topic_name`` needs besides the producer; its ``prepared`` may run in another process."""
        topic = self.project.topic(topic_name)
        return PublishPlan(
            topic=topic,
            agency=self._publishing_agency(topic, agency),
            schema=self.project.registry.get(topic.subject, version),
            dead_letter=topic.dead_letter if dead_letter is None else dead_letter,
            checks=self.checks.get(topic.name, []),
            partition_of=clients.key_partitioner(self._producer, topic.name, self.settings),
            limit=self._max_event_bytes,
        )

    def deliver(
        self,
        plan: "PublishPlan",
        events: Iterable["PreparedEvent | Refusal"],
        *,
        trace_id: str | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> PublishReceipt:
        """Send what ``plan.prepared`` made, park the refused records' dead letters, and return
        the receipt once the broker has acknowledged every event."""
        topic = plan.topic
        receipt = PublishReceipt(topic.name, topic.subject, plan.schema.version, plan.agency)
        headers_for_next = event_headers(topic.subject, plan.agency, plan.schema.version, trace_id)
        send, held = self._producer.send, quarantine_topic(topic.name)
        started = time.perf_counter()
        accepted: deque = deque()
        quarantined: deque = deque()
        number = 0
        with heap_set_aside():
            for number, event in enumerate(events, start=1):
                if type(event) is Refusal:
                    receipt.rejections.append(event.rejection)
                    if event.letter is not None:
                        self.send_dead_letter(topic.name, event.payload, event.letter)
                    continue
                payload, key, event_id, partition, breach = event
                headers = headers_for_next(event_id)
                if breach is not None:
                    receipt.note_breach(breach)
                if breach is None or breach.action != "quarantine":
                    accepted.append(send(topic.name, value=payload, key=key, headers=headers, partition=partition))
                else:
                    quarantined.append(send(held, value=payload, key=key, headers=headers + breach.headers))
                if number & 4095 == 0:
                    receipt.settle(accepted, done_only=True)
                    receipt.settle(quarantined, quarantined=True, done_only=True)
                if on_progress and number % 1000 == 0:
                    on_progress(number)
            with clients.broker_faults(f"publishing to {topic.name}"):
                self._producer.flush()
        receipt.read = number
        receipt.settle(accepted)
        receipt.settle(quarantined, quarantined=True)
        receipt.seconds = time.perf_counter() - started
        if on_progress:
            on_progress(receipt.read)
        if not receipt.balanced:
            raise FatalError(f"publish to {topic.name} lost count: {receipt.to_dict()}")
        return receipt

    def _publishing_agency(self, topic: Topic, agency: str | None) -> str:
        if agency is None or agency == topic.provider:
            return topic.provider
        raise ConfigurationError(
            f"agency {agency!r} may not publish to {topic.name}: its provider is {topic.provider!r}"
        )

    def send_dead_letter(
        self, topic_name: str, payload: bytes | None, letter: DeadLetter, *, key: bytes | None = None, original_headers=None
    ) -> None:
        """Park a message in ``<topic>.dlq`` with its reason; it is flushed with the next publish."""
        self._producer.send(dead_letter_topic(topic_name), value=payload, key=key, headers=letter.to_kafka(original_headers))


# An event made ready to send: Avro payload, key, event id (None: a fresh one), partition (None:
# the producer's choice) and the contract breach it is sent with, if any. A plain tuple: there is
# one per record. Its headers are made as it is sent.
PreparedEvent = tuple[bytes, bytes, "str | None", "int | None", "Breach | None"]


@dataclass(frozen=True)
class Breach:
    """A breach that does not reject, as the receipt counts it, and the headers a quarantined event
    carries for it; unlike the exception, it crosses processes."""

    agreement: str
    clause: str
    rule: str
    action: str
    headers: KafkaHeaders

    @classmethod
    def of(cls, exc: ContractViolation, topic: str) -> "Breach":
        held = exc.action == "quarantine"
        headers = QuarantineNote.of(exc, stage="publish", source_topic=topic).to_kafka() if held else []
        return cls(exc.agreement, exc.clause, exc.rule, exc.action, headers)


@dataclass(frozen=True)
class Refusal:
    """A record refused before sending: its rejection, and the dead letter to park (if the topic has one)."""

    rejection: Rejection
    payload: bytes | None = None
    letter: DeadLetter | None = None

    @classmethod
    def of(cls, record: Any, *, stage: str, reason: str, error: str, field: str | None, topic: str, number: int, dead_letter: bool) -> "Refusal":
        rejection = Rejection(number, reason, error, field, dead_lettered=dead_letter)
        if not dead_letter:
            return cls(rejection)
        letter = DeadLetter(stage=stage, reason=reason, error=error, source_topic=topic, field=field, record_number=number)
        return cls(rejection, json.dumps(record, default=str, ensure_ascii=False).encode("utf-8"), letter)


@dataclass(frozen=True)
class PublishPlan:
    """One publish's topic, schema, checks and partitions: all that ``prepared`` needs, and no producer."""

    topic: Topic
    schema: SchemaVersion
    agency: str
    dead_letter: bool
    checks: list[RecordCheck]
    partition_of: Callable[[bytes], int | None]
    limit: int

    def prepared(self, records: Iterable[Any], *, event_ids: Callable[[int, Any], str] | None = None) -> Iterator[PreparedEvent | Refusal]:
        """Each record validated, keyed, checked and encoded, or refused; a record that is already a
        ``Refusal`` (the caller refused it) goes through in its place, so numbers and counts hold.
        Computing only, this may run in a forked process."""
        topic, schema, checks, limit, partition_of = self.topic, self.schema, self.checks, self.limit, self.partition_of
        encode = codec.encode
        for number, record in enumerate(records, start=1):
            if type(record) is Refusal:
                yield record
                continue
            try:
                payload = encode(record, schema)
                key = _key_of(record, topic)
                breach = _first_breach(checks, record) if checks else None
                if len(payload) > limit:
                    raise SchemaViolation(f"event is {len(payload)} bytes encoded, over the {limit}-byte limit", reason="oversized")
            except ViolationError as exc:
                yield self._refusal(number, record, exc)
                continue
            event_id = event_ids(number, record) if event_ids else None
            if breach is None:
                yield payload, key, event_id, partition_of(key), None
            else:
                held = breach.action == "quarantine"
                yield payload, key, event_id, None if held else partition_of(key), Breach.of(breach, topic.name)

    def _refusal(self, number: int, record: Any, exc: ViolationError) -> Refusal:
        reason = getattr(exc, "reason", type(exc).__name__)
        # An oversized record would be refused by the dead-letter topic too; it is reported only.
        return Refusal.of(
            record, stage="publish", reason=reason, error=str(exc), field=getattr(exc, "field", None), topic=self.topic.name,
            number=number, dead_letter=self.dead_letter and reason != "oversized",
        )


def _first_breach(checks: list[RecordCheck], record: dict[str, Any]) -> ContractViolation | None:
    """The first contract breach that does not reject outright; a rejecting one is raised."""
    for check in checks:
        try:
            check(record)
        except ContractViolation as exc:
            if exc.action == "reject":
                raise
            return exc
    return None


def _key_of(record: dict[str, Any], topic: Topic) -> bytes:
    value = record.get(topic.key)
    if value is None or value == "":
        raise SchemaViolation(
            f"key field {topic.key!r} of topic {topic.name} is missing or empty", field=topic.key, reason="missing_key"
        )
    return str(value).encode("utf-8")
