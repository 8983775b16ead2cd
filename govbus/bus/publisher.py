"""Publishing: validate each record against its subject, key it, encode it and send it durably."""

from __future__ import annotations

import json
import time
from collections import deque
from typing import Any, Callable, Iterable, Protocol

from govbus import codec
from govbus.bus import clients
from govbus.bus.dead_letter import DeadLetter, dead_letter_topic
from govbus.bus.headers import event_headers
from govbus.bus.quarantine import QuarantineNote, quarantine_topic
from govbus.bus.receipt import PublishReceipt, Rejection
from govbus.errors import ConfigurationError, ContractViolation, FatalError, SchemaViolation, ViolationError
from govbus.heap import heap_set_aside
from govbus.project import Project, Topic
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
        topic = self.project.topic(topic_name)
        agency = self._publishing_agency(topic, agency)
        schema = self.project.registry.get(topic.subject, version)
        use_dlq = topic.dead_letter if dead_letter is None else dead_letter
        checks = self.checks.get(topic.name, [])
        receipt = PublishReceipt(topic.name, topic.subject, schema.version, agency)
        headers_for_next = event_headers(topic.subject, agency, schema.version, trace_id)
        partition_of = clients.key_partitioner(self._producer, topic.name, self.settings)
        send, encode, limit = self._producer.send, codec.encode, self._max_event_bytes
        started = time.perf_counter()
        accepted: deque = deque()
        quarantined: deque = deque()
        number = 0
        with heap_set_aside():
            for number, record in enumerate(records, start=1):
                try:
                    payload = encode(record, schema)
                    key = _key_of(record, topic)
                    breach = _first_breach(checks, record) if checks else None
                    if len(payload) > limit:
                        raise SchemaViolation(f"event is {len(payload)} bytes encoded, over the {limit}-byte limit", reason="oversized")
                except ViolationError as exc:
                    receipt.rejections.append(self._reject(topic, number, record, exc, use_dlq))
                    continue
                headers = headers_for_next(event_ids(number, record) if event_ids else None)
                if breach is not None:
                    receipt.note_breach(breach)
                if breach is None or breach.action != "quarantine":
                    accepted.append(send(topic.name, value=payload, key=key, headers=headers, partition=partition_of(key)))
                else:
                    headers = QuarantineNote.of(breach, stage="publish", source_topic=topic.name).to_kafka(headers)
                    quarantined.append(send(quarantine_topic(topic.name), value=payload, key=key, headers=headers))
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

    def _reject(self, topic: Topic, number: int, record: Any, exc: ViolationError, use_dlq: bool) -> Rejection:
        field = getattr(exc, "field", None)
        reason = getattr(exc, "reason", type(exc).__name__)
        # An oversized record would be refused by the dead-letter topic too; it is reported only.
        use_dlq = use_dlq and reason != "oversized"
        if use_dlq:
            letter = DeadLetter(
                stage="publish", reason=reason, error=str(exc), source_topic=topic.name, field=field, record_number=number
            )
            payload = json.dumps(record, default=str, ensure_ascii=False).encode("utf-8")
            self.send_dead_letter(topic.name, payload, letter)
        return Rejection(number, reason, str(exc), field, dead_lettered=use_dlq)

    def send_dead_letter(
        self, topic_name: str, payload: bytes | None, letter: DeadLetter, *, key: bytes | None = None, original_headers=None
    ) -> None:
        """Park a message in ``<topic>.dlq`` with its reason; it is flushed with the next publish."""
        self._producer.send(dead_letter_topic(topic_name), value=payload, key=key, headers=letter.to_kafka(original_headers))


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
