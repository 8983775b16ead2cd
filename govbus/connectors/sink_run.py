"""Running a sink: read its topic from where the sink's own offsets say, and write in batches."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from kafka.consumer.fetcher import ConsumerRecord

from govbus.bus.headers import now_iso
from govbus.bus.subscriber import Subscriber
from govbus.connectors.base import Sink
from govbus.connectors.definition import ConnectorDefinition, Direction
from govbus.connectors.kinds import connector_class
from govbus.connectors.state import ConnectorState, LastRun, save_state
from govbus.errors import ConfigurationError, SchemaViolation
from govbus.project import Project
from govbus.security.credentials import settings_as
from govbus.settings import KafkaSettings
from govbus.store.engine import Store


@dataclass
class SinkRun:
    connector: str
    kind: str
    topic: str
    consumed: int = 0
    written: int = 0
    dead_lettered: int = 0
    batches: int = 0
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {"consumed": self.consumed, "written": self.written, "dead_lettered": self.dead_lettered}

    def to_dict(self) -> dict[str, Any]:
        return {**vars(self), "seconds": round(self.seconds, 3)}


def sink_for(definition: ConnectorDefinition, project: Project) -> Sink:
    if definition.direction is not Direction.sink:
        raise ConfigurationError(f"connector {definition.name} is a {definition.direction.value}, not a sink")
    return connector_class(definition.kind, Direction.sink)(definition, project)


def run_sink(
    definition: ConnectorDefinition,
    project: Project,
    *,
    settings: KafkaSettings | None = None,
    store: Store | None = None,
    idle_timeout_s: float = 5.0,
    on_progress: Callable[[int], None] | None = None,
) -> SinkRun:
    """Write the topic's new events into the agency's table until it has been quiet for a while.

    The offsets that count sit in the agency's database with the rows; the govbus store keeps a
    copy with the run's counts, for ``govbus connectors status``. Without ``settings`` the sink
    reads as its agency, which the contract must name as a consumer.
    """
    settings = settings or settings_as(project, definition.agency)
    store = store or Store.for_project(project)
    store.migrate()
    sink = sink_for(definition, project)
    run = SinkRun(definition.name, definition.kind, definition.topic_name(project))
    record = ConnectorState(definition.name, last_run=LastRun(started_at=now_iso()))
    started = time.perf_counter()
    try:
        _drain(sink, run, project, settings, definition.batch_size, idle_timeout_s, on_progress)
        record.position = {f"{tp.topic}:{tp.partition}": offset for tp, offset in sorted(sink.positions([run.topic]).items())}
        record.last_run.finished_at = now_iso()
    except Exception as exc:
        record.last_run.error = str(exc)[:500]
        raise
    finally:
        run.seconds = time.perf_counter() - started
        record.last_run.batches, record.last_run.counts = run.batches, run.counts()
        save_state(store, record)
    return run


def _drain(
    sink: Sink,
    run: SinkRun,
    project: Project,
    settings: KafkaSettings | None,
    batch_size: int,
    idle_timeout_s: float,
    on_progress: Callable[[int], None] | None,
) -> None:
    subscriber: Subscriber

    def dead_letter(message: ConsumerRecord, exc: SchemaViolation) -> None:
        subscriber.dead_letter(message, exc)
        sink.advance(message.topic, message.partition, message.offset)
        run.dead_lettered += 1

    with Subscriber(
        project,
        [run.topic],
        group_id=None,
        settings=settings,
        on_undecodable=dead_letter,
        max_poll_records=batch_size,
        positions=sink.positions([run.topic]),
    ) as subscriber:
        idle_since = time.monotonic()
        while time.monotonic() - idle_since < idle_timeout_s or subscriber.lag():
            before = subscriber.consumed
            for event in subscriber.poll(timeout_ms=500):
                sink.add(event)
            if subscriber.consumed == before:
                continue
            # Dead letters reach the broker before the offsets that pass them are stored.
            subscriber.commit()
            run.written += sink.flush()
            run.consumed, run.batches = subscriber.consumed, run.batches + 1
            idle_since = time.monotonic()
            if on_progress:
                on_progress(run.consumed)
