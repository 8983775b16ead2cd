"""Running a source: read a batch, map it, publish it through the SDK, then advance the cursor.

The order is what makes a crash safe. The cursor moves only after ``Publisher.publish`` has
returned, which is after the broker acknowledged every event of the batch. A crash before that
re-reads the batch on the next run: no row is lost, and the rows of that one batch (the in-flight
window, at most ``batch_size`` rows) may reach the bus twice. Their events carry the same key and
the same values, so a landing that upserts by key keeps one row for them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from govbus.audit.hooks import AuditedPublisher
from govbus.bus.headers import now_iso
from govbus.connectors.base import BatchOutcome, Source
from govbus.connectors.definition import ConnectorDefinition, Direction, Mode
from govbus.connectors.kinds import connector_class
from govbus.connectors.mapping import RecordMapping
from govbus.connectors.shipment import Parcel, Shipment
from govbus.connectors.state import ConnectorState, LastRun, load_state, save_state
from govbus.contracts import checks_for
from govbus.errors import ConfigurationError
from govbus.forked import computed_ahead
from govbus.project import Project
from govbus.security.credentials import settings_as
from govbus.settings import KafkaSettings
from govbus.store.engine import Store

@dataclass
class ConnectorRun:
    """What one run of a source did; ``outcome`` adds up over every batch."""

    connector: str
    kind: str
    topic: str
    mode: str
    outcome: BatchOutcome = field(default_factory=BatchOutcome)
    batches: int = 0
    seconds: float = 0.0
    position: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "connector": self.connector,
            "kind": self.kind,
            "topic": self.topic,
            "mode": self.mode,
            **self.outcome.counts(),
            "balanced": self.outcome.balanced,
            "batches": self.batches,
            "seconds": round(self.seconds, 3),
            "position": self.position,
            "rejections": [vars(r) for r in self.outcome.rejections[:100]],
        }


def source_for(definition: ConnectorDefinition, project: Project, settings: KafkaSettings | None = None) -> Source:
    if definition.direction is not Direction.source:
        raise ConfigurationError(f"connector {definition.name} is a {definition.direction.value}, not a source")
    source_class = connector_class(definition.kind, Direction.source)
    if definition.mode is Mode.snapshot and not source_class.snapshot:
        raise ConfigurationError(f"connector {definition.name}: kind {definition.kind} has no snapshot mode")
    return source_class(definition, project, settings)


def run_source(
    definition: ConnectorDefinition,
    project: Project,
    *,
    settings: KafkaSettings | None = None,
    store: Store | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ConnectorRun:
    """Publish what is new at the source (or everything, in snapshot mode) and return the counts.

    Without ``settings`` the connector reaches the broker as its agency (its credentials from the
    secrets folder), as every member publishes under its own identity.
    """
    settings = settings or settings_as(project, definition.agency)
    store = store or Store.for_project(project)
    store.migrate()
    topic = project.topic(definition.topic_name(project))
    mapping = RecordMapping.of(definition, project.registry.get(topic.subject))
    source = source_for(definition, project, settings)
    state = load_state(store, definition.name)
    state.last_run = LastRun(started_at=now_iso())
    run = ConnectorRun(definition.name, definition.kind, topic.name, definition.mode.value, position=state.position)
    started = time.perf_counter()
    # A snapshot reads everything each run, so it neither resumes nor leaves a position behind.
    resumable = definition.mode is Mode.incremental and source.incremental
    try:
        with AuditedPublisher(project, settings, store=store, checks=checks_for(project)) as publisher:
            shipment = Shipment(publisher, publisher.plan(topic.name, agency=definition.agency), definition, mapping)
            with _parcels(source, state.position if resumable else None, shipment) as parcels:
                for parcel in parcels:
                    outcome = shipment.send(parcel)
                    position = source.acknowledge(parcel.batch, outcome)
                    run.outcome.add(outcome, offset=run.outcome.read)
                    run.batches += 1
                    run.position = position
                    _advance(store, state, run, resumable)
                    if on_progress:
                        on_progress(run.outcome.read)
    except Exception as exc:
        state.last_run.error = str(exc)[:500]
        save_state(store, state)
        raise
    finally:
        source.close()
        run.seconds = time.perf_counter() - started
    state.last_run.finished_at = now_iso()
    _advance(store, state, run, resumable)
    return run


@contextmanager
def _parcels(source: Source, position: Any, shipment: Shipment) -> Iterator[Iterator[Parcel]]:
    """The source's batches, packed; with ``read_ahead``, read and packed in a forked process while
    the last is published, and leaving stops it.

    Only reading and packing move ahead; the cursor still advances batch by batch after each is
    acknowledged. Mapping, event ids, contract checks and encoding hold the interpreter, as do the
    producer's ``send`` and its I/O thread: in a process of their own they run on another core
    instead of taking turns with the producer.
    """
    if not source.read_ahead:
        yield map(shipment.pack, source.batches(position))
        return

    def packed_there() -> Iterator[Parcel]:
        source.after_fork()
        for batch in source.batches(position):
            parcel = shipment.pack(batch)
            # The rows stay behind: their events travel, and acknowledging needs only the position.
            parcel.batch = replace(batch, rows=[], origins=None)
            yield parcel

    after = position

    def read_here(_taken: int) -> Iterator[Parcel]:
        # The forked process got stuck: the rest is read here, after the last batch that came across.
        return map(shipment.pack, source.batches(after))

    def noting_positions(parcels: Iterator[Parcel]) -> Iterator[Parcel]:
        nonlocal after
        for parcel in parcels:
            after = parcel.batch.position
            yield parcel

    with computed_ahead(packed_there, read_here) as parcels:
        yield noting_positions(parcels)


def _advance(store: Store, state: ConnectorState, run: ConnectorRun, resumable: bool) -> None:
    if resumable:
        state.position = run.position
    state.last_run.batches = run.batches
    state.last_run.counts = run.outcome.counts()
    save_state(store, state)
