"""Audit hooks for the bus: each publish batch and each consumption by another agency.

``AuditedPublisher`` is a ``Publisher`` that records every batch it delivers; consumers call
``record_consumption`` with each batch of events they have processed, before committing it.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from sqlalchemy import Connection

from govbus.audit.chain import Entry
from govbus.audit.log import Kind, record
from govbus.bus.publisher import PreparedEvent, Publisher, PublishPlan, Refusal
from govbus.bus.receipt import PublishReceipt
from govbus.bus.subscriber import Event
from govbus.contracts.loader import contracts_in
from govbus.project import Project
from govbus.security.entitlements import PROJECTION_INFIX
from govbus.settings import KafkaSettings
from govbus.store import Store


def agreement_of(project: Project, topic: str) -> str | None:
    """The agreement under which ``topic`` (or a projection of it) is shared, if a contract covers it."""
    agreements = {contract.dataset.topic: contract.agreement.ref for contract in contracts_in(project.contracts_dir)}
    return agreements.get(topic.split(PROJECTION_INFIX, 1)[0])


class AuditedPublisher(Publisher):
    """A ``Publisher`` whose every batch leaves an audit entry naming the people it concerned."""

    def __init__(self, project: Project, settings: KafkaSettings | None = None, *, store: Store, **options: Any) -> None:
        super().__init__(project, settings, **options)
        self.store = store

    def deliver(self, plan: PublishPlan, events: Iterable[PreparedEvent | Refusal], **options: Any) -> PublishReceipt:
        keys: list[bytes] = []

        def remembered() -> Iterator[PreparedEvent | Refusal]:
            for event in events:
                if type(event) is not Refusal:
                    keys.append(event[1])
                yield event

        receipt = super().deliver(plan, remembered(), **options)
        # Each key is its field's text (``str(value)``), as the subject index stores it.
        subjects = [key.decode("utf-8") for key in keys]
        details = {k: v for k, v in receipt.to_dict().items() if k not in ("rejections", "failures")}
        record(self.store, Kind.publish, receipt.agency, subjects, agreement_of(self.project, plan.topic.name), details)
        return receipt


def record_consumption(
    store: Store | None, project: Project, consumer: str, events: list[Event], *, connection: Connection | None = None
) -> list[Entry]:
    """One entry per topic for the events ``consumer`` took from another agency's topics.

    Pass the ``connection`` of the transaction that stores what was consumed, so both commit together.
    """
    by_topic: dict[str, list[Event]] = {}
    for event in events:
        by_topic.setdefault(event.topic, []).append(event)
    recorded = []
    for topic, batch in sorted(by_topic.items()):
        source = topic.split(PROJECTION_INFIX, 1)[0]
        provider = project.topics[source].provider if source in project.topics else None
        if provider == consumer:
            continue
        key_field = project.topics[source].key if source in project.topics else None
        subjects = [event.key or event.record.get(key_field) for event in batch]
        offsets: dict[str, list[int]] = {}
        for event in batch:
            low, high = offsets.get(str(event.partition), (event.offset, event.offset))
            offsets[str(event.partition)] = [min(low, event.offset), max(high, event.offset)]
        details = {"topic": topic, "provider": provider, "events": len(batch), "offsets": offsets}
        recorded.append(record(store, Kind.consume, consumer, subjects, agreement_of(project, topic), details, connection=connection))
    return recorded
