"""Landing: the bus into the store, exactly once.

The consumer starts where the store says (``consumer_offset``), not where Kafka's group offsets
say. Each micro-batch commits its rows and the offsets that produced them in one transaction,
so a crash at any point either keeps a whole batch or none of it, and the rerun resumes right
after the last kept batch. Dead letters are flushed to the broker before their offsets commit;
a crash between the two may dead-letter a message twice, never lose it.
"""

from __future__ import annotations

import time
from typing import Callable

from sqlalchemy import inspect

from govbus.bus.subscriber import Subscriber
from govbus.audit.hooks import record_consumption
from govbus.errors import FatalError
from govbus.land.intake import Intake
from govbus.land.offsets import stored_positions
from govbus.land.receipt import LandingReceipt, TopicLanding
from govbus.land.sink import LAND_GROUP, BatchHook, TableSink
from govbus.land.tables import landed_table
from govbus.project import Project
from govbus.settings import KafkaSettings
from govbus.store.engine import Store
from govbus.store.tables import consumer_offset

# Events per transaction: large enough for COPY to pay off, small enough to redo after a crash.
BATCH_SIZE = 10_000
POLL_MS = 500


def land(
    project: Project,
    store: Store,
    topics: list[str],
    *,
    group_id: str = LAND_GROUP,
    settings: KafkaSettings | None = None,
    max_events: int | None = None,
    idle_timeout_s: float = 5.0,
    batch_size: int = BATCH_SIZE,
    on_batch: BatchHook | None = None,
    on_progress: Callable[[LandingReceipt], None] | None = None,
    contract_gate: bool = False,
    consumer: str | None = None,
) -> LandingReceipt:
    """Land ``topics`` into their tables until ``max_events`` messages, or until caught up and idle.

    A run stops after ``idle_timeout_s`` without messages, but never while the broker holds
    messages it has not read, however slow the broker is to hand them over.

    Each topic lands in ``land_<topic>`` (see ``landed_table``), read with its subject's newest
    schema, so older events fill the newest columns. ``on_progress`` sees the receipt after each batch.
    With ``contract_gate`` every event is checked against its contract first, and a breach is
    quarantined or dead-lettered per record (see ``Intake``). With ``consumer`` (the agency whose
    store this is) each batch leaves an audit entry, in the batch's transaction, naming the people
    it concerned and the agreement they were shared under.
    """
    with store.begin() as connection:
        migrated = inspect(connection).has_table(consumer_offset.name)
    if not migrated:
        # A fresh embedded store just works; a deployed one is migrated with `govbus store migrate`.
        store.migrate()
    readers = {name: project.registry.get(project.topic(name).subject) for name in topics}
    sinks = {
        name: TableSink(
            store, landed_table(store, project.topic(name), reader), [project.topic(name).key], group_id=group_id, on_batch=on_batch
        )
        for name, reader in readers.items()
    }
    receipt = LandingReceipt(group_id, {name: TopicLanding(sink.table.name) for name, sink in sinks.items()})
    started = time.perf_counter()
    intake = Intake(sinks, contract_gate=contract_gate, keep_events=consumer is not None)
    run = _Run(project, sinks, intake, receipt, consumer)
    with Subscriber(
        project,
        topics,
        group_id=None,
        settings=settings,
        on_undecodable=intake.dead_letter,
        max_poll_records=batch_size,
        positions=stored_positions(store, group_id, topics),
    ) as subscriber:
        intake.attach(subscriber)
        try:
            idle_since = time.monotonic()
            while max_events is None or receipt.consumed < max_events:
                room = batch_size if max_events is None else min(batch_size, max_events - receipt.consumed)
                if run.take(room):
                    run.commit(store)
                    idle_since = time.monotonic()
                    receipt.seconds = time.perf_counter() - started
                    if on_progress:
                        on_progress(receipt)
                elif time.monotonic() - idle_since >= idle_timeout_s and not subscriber.lag():
                    break
        finally:
            intake.close()
    receipt.seconds = time.perf_counter() - started
    return receipt


class _Run:
    """One landing run: fills a batch from the subscriber, then commits it."""

    def __init__(self, project: Project, sinks: dict[str, TableSink], intake: Intake, receipt: LandingReceipt, consumer: str | None) -> None:
        self.project = project
        self.sinks = sinks
        self.intake = intake
        self.receipt = receipt
        self.consumer = consumer
        self._committed = 0

    def take(self, room: int) -> bool:
        """Poll until ``room`` messages are taken or the broker has no more right now."""
        subscriber = self.intake.subscriber
        while subscriber.consumed - self._committed < room:
            before = subscriber.consumed
            self.intake.take(subscriber.poll(timeout_ms=POLL_MS, max_records=room - (before - self._committed)))
            if subscriber.consumed == before:
                break
        return subscriber.consumed > self._committed

    def commit(self, store: Store) -> None:
        intake = self.intake
        intake.flush()
        consumed = intake.subscriber.consumed - self._committed
        with store.begin() as connection:
            landed = {name: sink.write(connection) for name, sink in self.sinks.items()}
            if consumed != sum(landed.values()) + intake.settled():
                # Raised inside the transaction, so the unbalanced batch is rolled back.
                raise FatalError(
                    f"landing lost count: consumed {consumed}, landed {landed}, "
                    f"dead-lettered {dict(intake.dead_lettered)}, quarantined {dict(intake.quarantined)}"
                )
            if self.consumer is not None:
                record_consumption(store, self.project, self.consumer, intake.events, connection=connection)
        for name, count in landed.items():
            topic = self.receipt.topics[name]
            topic.landed += count
            topic.dead_lettered += intake.dead_lettered[name]
            topic.quarantined += intake.quarantined[name]
        self.receipt.consumed += consumed
        self.receipt.batches += 1
        self._committed = intake.subscriber.consumed
        intake.settle()
