"""Audit hooks for the bus: each publish batch and each consumption by another agency.

``AuditedPublisher`` is a ``Publisher`` that records every batch it publishes; consumers call
``record_consumption`` with each batch of events they have processed, before committing it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

from sqlalchemy import Connection

from govbus.audit.chain import Entry
from govbus.audit.log import Kind, record
from govbus.bus.publisher import Publisher
from govbus.bus.receipt import PublishReceipt
from govbus.bus.subscriber import Event
from govbus.contracts.loader import load_contracts
from govbus.project import Project
from govbus.security.entitlements import PROJECTION_INFIX
from govbus.settings import KafkaSettings
from govbus.store import Store


def agreement_of(project: Project, topic: str) -> str | None:
    """The agreement under which ``topic`` (or a projection of it) is shared, if a contract covers it."""
    return _agreements(project.contracts_dir).get(topic.split(PROJECTION_INFIX, 1)[0])


@lru_cache(maxsize=32)
def _agreements(contracts_dir: Path) -> dict[str, str]:
    return {contract.dataset.topic: contract.agreement.ref for contract in load_contracts(contracts_dir)}


class AuditedPublisher(Publisher):
    """A ``Publisher`` whose every batch leaves an audit entry naming the people it concerned."""

    def __init__(self, project: Project, settings: KafkaSettings | None = None, *, store: Store, **options: Any) -> None:
        super().__init__(project, settings, **options)
        self.store = store

    def publish(self, topic_name: str, records: Iterable[dict[str, Any]], **options: Any) -> PublishReceipt:
        key_field = self.project.topic(topic_name).key
        keys: list[object] = []

        def remembered() -> Iterator[dict[str, Any]]:
            for item in records:
                keys.append(item.get(key_field) if isinstance(item, dict) else None)
                yield item

        receipt = super().publish(topic_name, remembered(), **options)
        rejected = {rejection.record_number for rejection in receipt.rejections}
        subjects = [key for number, key in enumerate(keys, start=1) if number not in rejected]
        details = {k: v for k, v in receipt.to_dict().items() if k not in ("rejections", "failures")}
        record(self.store, Kind.publish, receipt.agency, subjects, agreement_of(self.project, topic_name), details)
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
