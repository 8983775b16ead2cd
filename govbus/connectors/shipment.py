"""One batch of a source onto the bus: rows mapped to records, prepared and delivered through the SDK.

Each event's id is derived from the connector and the row's origin (its key and version at the
source), so a batch sent again after a crash carries the same ids and a landing keeps one row each.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Callable

from govbus.bus.publisher import PreparedEvent, Publisher, PublishPlan, Refusal
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
    """A batch made ready to publish: one prepared event, or the refusal of its row, per row read."""

    batch: SourceBatch
    events: list[PreparedEvent | Refusal]

    def __reduce__(self) -> tuple:
        # Across the pipe column by column: a list of bytes or of text is one block to rebuild, where
        # a tuple per event cost the receiving process (and its collector) several times as much.
        refusals = {n: event for n, event in enumerate(self.events) if type(event) is Refusal}
        prepared = [event for event in self.events if type(event) is not Refusal] if refusals else self.events
        return _unpacked, (self.batch, refusals, *(list(column) for column in zip(*prepared)))


def _unpacked(batch: SourceBatch, refusals: dict[int, Refusal], *columns: list) -> Parcel:
    prepared = zip(*columns)
    if not refusals:
        return Parcel(batch, list(prepared))
    count = len(refusals) + (len(columns[0]) if columns else 0)
    return Parcel(batch, [refusals[n] if n in refusals else next(prepared) for n in range(count)])


class Shipment:
    """Maps one batch's rows and prepares their events (``pack``), then delivers them (``send``).

    ``pack`` only computes, so it may run in the forked process that reads ahead; ``send`` talks to
    the broker. Rows that do not map are refused in their place, dead-lettered like any other.
    """

    def __init__(self, publisher: Publisher, plan: PublishPlan, definition: ConnectorDefinition, mapping: RecordMapping) -> None:
        self.publisher = publisher
        self.plan = plan
        self.definition = definition
        self.mapping = mapping

    def pack(self, batch: SourceBatch) -> Parcel:
        return Parcel(batch, list(self.plan.prepared(self._records(batch.rows), event_ids=self._event_ids(batch.origins))))

    def send(self, parcel: Parcel) -> BatchOutcome:
        receipt = self.publisher.deliver(self.plan, parcel.events)
        if receipt.failed:
            # The cursor must not pass events the broker did not take; the next run sends them again.
            raise RetriableError(
                f"connector {self.definition.name}: the broker did not acknowledge {receipt.failed} of "
                f"{receipt.read} events ({'; '.join(receipt.failures[:3])}); the cursor stays where it was"
            )
        return BatchOutcome(read=receipt.read, sent=receipt.sent, quarantined=receipt.quarantined, rejections=receipt.rejections)

    def _event_ids(self, origins: list[str] | None) -> Callable[[int, Any], str] | None:
        """Each event's id, derived from the connector and its row's origin: the same on every resend."""
        if origins is None:
            return None
        name = self.definition.name
        return lambda number, _record: event_id(f"{name} {origins[number - 1]}")

    def _records(self, rows: list[Any]) -> Iterator[Any]:
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, Mapping):
                # Not a mapping (a JSON line that did not parse): it goes through as it is, so the
                # publisher rejects it with its record number.
                yield row
                continue
            try:
                yield self.mapping.record(row)
            except MappingError as exc:
                yield Refusal.of(
                    dict(row), stage="connector", reason="mapping", error=str(exc), field=exc.field,
                    topic=self.plan.topic.name, number=number, dead_letter=self.plan.dead_letter,
                )
