"""One batch of a source onto the bus: rows mapped to records and published through the SDK.

Each event's id is derived from the connector and the row's origin (its key and version at the
source), so a batch sent again after a crash carries the same ids and a landing keeps one row each.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from govbus.bus.dead_letter import DeadLetter
from govbus.bus.publisher import Publisher
from govbus.bus.receipt import Rejection
from govbus.connectors.base import BatchOutcome, SourceBatch
from govbus.connectors.definition import ConnectorDefinition
from govbus.connectors.mapping import MappingError, RecordMapping
from govbus.errors import RetriableError

# Connector event ids are name-based UUIDs in this namespace (a fixed random UUID).
EVENT_ID_NAMESPACE = uuid.UUID("5b1f0c2e-8f3a-4d6e-9c41-2a7d6e0b93f4")


_NAMESPACE_HASH = hashlib.sha1(EVENT_ID_NAMESPACE.bytes)


def event_id(origin: str) -> str:
    """``str(uuid.uuid5(EVENT_ID_NAMESPACE, origin))`` spelled out: the UUID object cost four times the hash."""
    named = _NAMESPACE_HASH.copy()
    named.update(origin.encode())
    digits = named.hexdigest()
    variant = "89ab"[int(digits[16], 16) & 3]
    return f"{digits[:8]}-{digits[8:12]}-5{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:32]}"


@dataclass
class Parcel:
    """A batch made ready to publish: its records, the row number of each, the rows that did not
    map (with why) and, when the source names origins, each record's event id."""

    batch: SourceBatch
    records: list[Any] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    unmapped: list[tuple[int, Any, MappingError]] = field(default_factory=list)
    event_ids: list[str] | None = None


class Shipment:
    """Maps one batch's rows and publishes the records; rows that do not map are dead-lettered.

    ``pack`` only computes, so it may run on the thread that reads ahead; ``send`` talks to the broker.
    """

    def __init__(self, publisher: Publisher, definition: ConnectorDefinition, topic: str, dead_letter: bool, mapping: RecordMapping) -> None:
        self.publisher = publisher
        self.definition = definition
        self.topic = topic
        self.dead_letter = dead_letter
        self.mapping = mapping

    def pack(self, batch: SourceBatch) -> Parcel:
        parcel = Parcel(batch)
        for number, row in enumerate(batch.rows, start=1):
            try:
                # A row that is not a mapping (a JSON line that did not parse) goes through as
                # it is, so the publisher rejects it with its record number.
                parcel.records.append(self.mapping.record(row) if isinstance(row, Mapping) else row)
                parcel.numbers.append(number)
            except MappingError as exc:
                parcel.unmapped.append((number, row, exc))
        if batch.origins is not None:
            # Derived from the connector and each row's origin: the same on every resend.
            name, origins = self.definition.name, batch.origins
            parcel.event_ids = [event_id(f"{name} {origins[number - 1]}") for number in parcel.numbers]
        return parcel

    def send(self, parcel: Parcel) -> BatchOutcome:
        outcome = BatchOutcome(read=len(parcel.batch.rows))
        outcome.rejections = [self._unmappable(number, row, exc) for number, row, exc in parcel.unmapped]
        ids = parcel.event_ids
        receipt = self.publisher.publish(
            self.topic, parcel.records, agency=self.definition.agency, event_ids=(lambda number, _record: ids[number - 1]) if ids else None
        )
        if receipt.failed:
            # The cursor must not pass events the broker did not take; the next run sends them again.
            raise RetriableError(
                f"connector {self.definition.name}: the broker did not acknowledge {receipt.failed} of "
                f"{receipt.read} events ({'; '.join(receipt.failures[:3])}); the cursor stays where it was"
            )
        numbers = parcel.numbers
        outcome.sent, outcome.quarantined = receipt.sent, receipt.quarantined
        outcome.rejections += [
            Rejection(numbers[r.record_number - 1], r.reason, r.message, r.field, r.dead_lettered) for r in receipt.rejections
        ]
        outcome.rejections.sort(key=lambda r: r.record_number)
        return outcome

    def _unmappable(self, number: int, row: Mapping, exc: MappingError) -> Rejection:
        if self.dead_letter:
            letter = DeadLetter(
                stage="connector", reason="mapping", error=str(exc), source_topic=self.topic, field=exc.field, record_number=number
            )
            payload = json.dumps(dict(row), default=str, ensure_ascii=False).encode("utf-8")
            self.publisher.send_dead_letter(self.topic, payload, letter)
        return Rejection(number, "mapping", str(exc), exc.field, dead_lettered=self.dead_letter)
