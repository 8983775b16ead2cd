"""Running a sink: read its topic from where the sink's own offsets say, and write in batches."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from govbus.bus.headers import now_iso
from govbus.audit.hooks import record_consumption
from govbus.bus.subscriber import Subscriber
from govbus.connectors.base import Sink
from govbus.connectors.definition import ConnectorDefinition, Direction
from govbus.connectors.kinds import connector_class
from govbus.connectors.state import ConnectorState, LastRun, save_state
from govbus.errors import ConfigurationError
from govbus.land.intake import Intake
from govbus.land.receipt import TopicLanding
from govbus.project import Project
from govbus.security.credentials import settings_as
from govbus.settings import KafkaSettings
from govbus.store.engine import Store


@dataclass
class SinkRun(TopicLanding):
    """What one run of a sink did: the landing's counts for its table, and which connector ran."""

    connector: str = ""
    kind: str = ""
    topic: str = ""
    batches: int = 0
    seconds: float = 0.0

    @property
    def written(self) -> int:
        return self.landed

    @property
    def consumed(self) -> int:
        return self.landed + self.dead_lettered + self.quarantined

    def counts(self) -> dict[str, int]:
        return {"consumed": self.consumed, "written": self.written, "dead_lettered": self.dead_lettered, "quarantined": self.quarantined}

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "written": self.written, "seconds": round(self.seconds, 3)}


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
    copy with the run's counts, for ``govbus connectors status``, and the audit entry of each
    batch: which people's records the agency took in, under which agreement. Without
    ``settings`` the sink reads as its agency, which the contract must name as a consumer.
    """
    settings = settings or settings_as(project, definition.agency)
    store = store or Store.for_project(project)
    store.migrate()
    sink = sink_for(definition, project)
    topic = definition.topic_name(project)
    run = SinkRun(definition.table or "", connector=definition.name, kind=definition.kind, topic=topic)
    record = ConnectorState(definition.name, last_run=LastRun(started_at=now_iso()))
    started = time.perf_counter()
    try:
        _drain(sink, run, project, settings, store, idle_timeout_s, on_progress)
        record.position = {f"{tp.topic}:{tp.partition}": offset for tp, offset in sorted(sink.positions([topic]).items())}
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
    store: Store,
    idle_timeout_s: float,
    on_progress: Callable[[int], None] | None,
) -> None:
    definition = sink.definition
    intake = Intake({run.topic: sink}, contract_gate=definition.contract_gate, keep_events=True)
    with Subscriber(
        project,
        [run.topic],
        group_id=None,
        settings=settings,
        on_undecodable=intake.dead_letter,
        max_poll_records=definition.batch_size,
        positions=sink.positions([run.topic]),
    ) as subscriber:
        intake.attach(subscriber)
        try:
            idle_since = time.monotonic()
            while time.monotonic() - idle_since < idle_timeout_s or subscriber.lag():
                before = subscriber.consumed
                intake.take(subscriber.poll(timeout_ms=500))
                if subscriber.consumed == before:
                    continue
                # Dead letters and held events reach the broker before the offsets that pass them are stored.
                intake.flush()
                run.landed += sink.flush()
                # The rows sit in the agency's database, the audit log in the govbus store: the entry
                # follows the commit, so a crash between the two can leave one batch unaudited, never
                # an audit entry for rows that did not land.
                record_consumption(store, project, definition.agency, intake.events)
                run.dead_lettered += intake.dead_lettered[run.topic]
                run.quarantined += intake.quarantined[run.topic]
                run.batches += 1
                intake.settle()
                idle_since = time.monotonic()
                if on_progress:
                    on_progress(run.consumed)
        finally:
            intake.close()
