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

from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy import inspect

from govbus.bus.subscriber import Subscriber
from govbus.errors import FatalError, SchemaViolation
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
) -> LandingReceipt:
    """Land ``topics`` into their tables until ``max_events`` messages, or until caught up and idle.

    A run stops after ``idle_timeout_s`` without messages, but never while the broker holds
    messages it has not read, however slow the broker is to hand them over.

    Each topic lands in ``land_<topic>`` (see ``landed_table``), read with its subject's newest
    schema, so older events fill the newest columns. ``on_progress`` sees the receipt after each batch.
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
    run = _Run(sinks, receipt)
    with Subscriber(
        project,
        topics,
        group_id=None,
        settings=settings,
        on_undecodable=run.dead_letter,
        max_poll_records=batch_size,
        positions=stored_positions(store, group_id, topics),
    ) as subscriber:
        run.subscriber = subscriber
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
    receipt.seconds = time.perf_counter() - started
    return receipt


class _Run:
    """One landing run: fills a batch from the subscriber, then commits it."""

    def __init__(self, sinks: dict[str, TableSink], receipt: LandingReceipt) -> None:
        self.sinks = sinks
        self.receipt = receipt
        self.subscriber: Subscriber | None = None
        self._committed = 0
        self._dead: dict[str, int] = {}

    def take(self, room: int) -> bool:
        """Poll until ``room`` messages are taken or the broker has no more right now."""
        while self.subscriber.consumed - self._committed < room:
            before = self.subscriber.consumed
            for event in self.subscriber.poll(timeout_ms=POLL_MS, max_records=room - (before - self._committed)):
                self.sinks[event.topic].add(event)
            if self.subscriber.consumed == before:
                break
        return self.subscriber.consumed > self._committed

    def dead_letter(self, message: ConsumerRecord, exc: SchemaViolation) -> None:
        self.subscriber.dead_letter(message, exc)
        self.sinks[message.topic].advance(message.topic, message.partition, message.offset)
        self._dead[message.topic] = self._dead.get(message.topic, 0) + 1

    def commit(self, store: Store) -> None:
        # Flushes dead letters only: this subscriber has no Kafka group to commit to.
        self.subscriber.commit()
        consumed = self.subscriber.consumed - self._committed
        with store.begin() as connection:
            landed = {name: sink.write(connection) for name, sink in self.sinks.items()}
            if consumed != sum(landed.values()) + sum(self._dead.values()):
                # Raised inside the transaction, so the unbalanced batch is rolled back.
                raise FatalError(f"landing lost count: consumed {consumed}, landed {landed}, dead-lettered {self._dead}")
        for name, count in landed.items():
            self.receipt.topics[name].landed += count
            self.receipt.topics[name].dead_lettered += self._dead.get(name, 0)
        self.receipt.consumed += consumed
        self.receipt.batches += 1
        self._committed = self.subscriber.consumed
        self._dead.clear()
