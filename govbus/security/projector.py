"""The projector: reads each topic some consumer may not see whole, and publishes its projections.

Each projected event keeps the source's event id, time and trace, goes to the same partition
number (so per-key order carries over) and is keyed by the source key only if the consumer may
receive the key field. Offsets are committed after the projections are acknowledged: a crash
replays a batch rather than loses it, and a replayed event carries the same event id.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from govbus import codec
from govbus.bus import clients
from govbus.bus.subscriber import Event, Subscriber
from govbus.errors import ConfigurationError, RetriableError
from govbus.project import Project
from govbus.schemas.version import SchemaVersion
from govbus.security.entitlements import Entitlement
from govbus.security.projection import with_projections
from govbus.settings import KafkaSettings

GROUP = "projector.projections"
JOIN_TIMEOUT_S = 60.0


@dataclass
class ProjectionReceipt:
    consumed: int = 0
    projected: dict[str, int] = field(default_factory=dict)
    dead_lettered: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {**self.__dict__, "seconds": round(self.seconds, 3)}


def run_projector(
    project: Project,
    settings: KafkaSettings | None = None,
    *,
    topics: list[str] | None = None,
    group_id: str = GROUP,
    idle_timeout_s: float = 5.0,
    max_events: int | None = None,
) -> ProjectionReceipt:
    """Project ``topics`` (default: every source with a projection) until idle or ``max_events``."""
    projected = with_projections(project)
    targets = _targets(projected)
    sources = sorted(topics or targets)
    unknown = [name for name in sources if name not in targets]
    if unknown:
        raise ConfigurationError(f"no consumer reads a projection of {', '.join(unknown)} (projected: {', '.join(sorted(targets))})")
    receipt = ProjectionReceipt(projected={e.read_topic: 0 for name in sources for e, _ in targets[name]})
    started = time.perf_counter()
    producer = clients.producer(settings or KafkaSettings())
    try:
        with Subscriber(projected, sources, group_id=group_id, settings=settings) as subscriber:
            idle_since = time.monotonic()
            while max_events is None or receipt.consumed < max_events:
                room = None if max_events is None else max_events - receipt.consumed
                batch = subscriber.poll(timeout_ms=500, max_records=room)
                _project_batch(producer, batch, targets, receipt)
                receipt.consumed, receipt.dead_lettered = subscriber.consumed, subscriber.dead_lettered
                subscriber.commit()
                # Idle time counts only once the group has given this member its partitions.
                if batch or not subscriber.assignment():
                    if time.perf_counter() - started > JOIN_TIMEOUT_S and not receipt.consumed:
                        raise RetriableError(f"group {group_id} was given no partitions of {', '.join(sources)}")
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since >= idle_timeout_s and not subscriber.lag():
                    break
    finally:
        producer.close()
    receipt.seconds = time.perf_counter() - started
    return receipt


def _project_batch(producer, batch: list[Event], targets, receipt: ProjectionReceipt) -> None:
    """Send every projection of ``batch`` and wait until the broker has them all."""
    sent = [(e.read_topic, _send(producer, event, e, v)) for event in batch for e, v in targets[event.topic]]
    with clients.broker_faults("publishing projections"):
        producer.flush()
    failed = [future.exception for _, future in sent if future.failed()]
    if failed:
        raise RetriableError(f"{len(failed)} projection(s) were not acknowledged, first: {failed[0]}; rerun")
    for name, _ in sent:
        receipt.projected[name] += 1


def _targets(project: Project) -> dict[str, list[tuple[Entitlement, SchemaVersion]]]:
    targets: dict[str, list[tuple[Entitlement, SchemaVersion]]] = {}
    for entitlement in project.projections:
        version = project.registry.get(project.topics[entitlement.read_topic].subject)
        targets.setdefault(entitlement.topic, []).append((entitlement, version))
    return targets


def _send(producer, event: Event, entitlement: Entitlement, version: SchemaVersion):
    record = {name: event.record.get(name) for name in version.field_names}
    key_field = entitlement.contract.dataset.key
    key = event.key.encode() if event.key is not None and key_field in entitlement.fields else None
    headers = {**event.headers, "subject": version.subject, "schema_version": str(version.version)}
    headers["projection.of"] = f"{event.topic}:{event.partition}:{event.offset}"
    return producer.send(
        entitlement.read_topic,
        value=codec.encode(record, version, checked=False),
        key=key,
        partition=event.partition,
        headers=[(name, value.encode()) for name, value in headers.items()],
    )
