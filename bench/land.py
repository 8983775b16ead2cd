"""Landing throughput (broker -> store, exactly once) against a raw bulk write of the same rows.

    govbus up        # or point GOVBUS_KAFKA_BOOTSTRAP_SERVERS at a running broker
    python bench/land.py --events 200000 [--pg-url postgresql+psycopg://govbus:govbus@127.0.0.1:55432/govbus]

Three ways of writing the same rows into each store, side by side:

- land: the whole path, consuming from the broker, decoding, upserting rows and offsets in one
  transaction per batch;
- sink: the table sink alone (upsert plus offsets) fed the already decoded events, into a fresh table;
- raw: the very rows that landed written into an empty twin table with no broker and no upsert,
  binary COPY on PostgreSQL and the driver's executemany on SQLite.

The connectors issue's target is sink >= 0.5x COPY. PostgreSQL runs when --pg-url or
GOVBUS_TEST_POSTGRES_URL is given; every store is a scratch one, dropped afterwards.
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import uuid
from pathlib import Path

from common import REPO, Stopwatch, finish, rate
from publish import SUBJECT, people
from sqlalchemy import Column, MetaData, Table, select

from govbus.bus.publisher import Publisher
from govbus.bus.subscriber import Event, Subscriber
from govbus.bus.topics import apply_topics, desired_topics
from govbus.errors import RetriableError
from govbus.land import TableSink, land, landed_table
from govbus.land.lander import BATCH_SIZE
from govbus.project import Topic, load_project
from govbus.settings import KafkaSettings
from govbus.store.bulk import copy_rows
from govbus.store.scratch import scratch_store


def publish_people(project, settings: KafkaSettings, events: int, partitions: int) -> str:
    topic = f"bench.land.{uuid.uuid4().hex[:8]}"
    project.topics[topic] = Topic(name=topic, subject=SUBJECT, provider="population", key="national_id", partitions=partitions)
    try:
        apply_topics([spec for spec in desired_topics(project) if spec.name.startswith(topic)], settings)
    except RetriableError as exc:
        raise SystemExit(f"no broker at {settings.bootstrap_servers}: run `govbus up` or set GOVBUS_KAFKA_BOOTSTRAP_SERVERS ({exc})")
    records = people(events)
    # Distinct keys, so every event is a row of its own and every way writes the same row count.
    for number, record in enumerate(records):
        record["national_id"] = f"{record['national_id']}-{number}"
    with Publisher(project, settings) as publisher:
        assert publisher.publish(topic, records).sent == events
    return topic


def consume(project, settings: KafkaSettings, topic: str, events: int) -> tuple[float, list[Event]]:
    """Seconds to consume and decode every event, and the events, for the sink to be fed."""
    taken: list[Event] = []
    with Subscriber(project, [topic], group_id=None, settings=settings) as subscriber, Stopwatch() as watch:
        while len(taken) < events:
            taken.extend(subscriber.poll(timeout_ms=1000))
    return watch.seconds, taken


def land_into(project, store, topic: str, settings: KafkaSettings, events: int) -> tuple[float, Table]:
    """Seconds from the start of landing to the commit of its last batch, and the landed table."""
    last = {}
    receipt = land(project, store, [topic], settings=settings, idle_timeout_s=1, on_progress=lambda r: last.update(s=r.seconds))
    assert receipt.landed == events and receipt.balanced, receipt.to_dict()
    return last["s"], Table(receipt.topics[topic].table, MetaData(), autoload_with=store.engine)


def sink_into(project, store, topic: str, taken: list[Event], trial: int) -> float:
    """Seconds for the table sink alone to upsert the events, a batch per transaction as landing does."""
    twin = Topic(name=f"{topic}.sink{trial}", subject=SUBJECT, provider="population", key="national_id")
    sink = TableSink(store, landed_table(store, twin, project.registry.get(SUBJECT)), ["national_id"], group_id="bench.sink")
    with Stopwatch() as watch:
        for start in range(0, len(taken), BATCH_SIZE):
            for event in taken[start : start + BATCH_SIZE]:
                sink.add(event)
            sink.flush()
    return watch.seconds


def raw_write(store, landed: Table, rows: list[tuple], trial: int) -> float:
    """Seconds to write the landed rows into an empty twin table: binary COPY (PostgreSQL) or executemany."""
    names = [column.name for column in landed.columns]
    twin = Table(f"raw{trial}_{landed.name}"[:63], MetaData(), *(Column(c.name, c.type, primary_key=c.primary_key) for c in landed.columns))
    twin.create(store.engine)
    with Stopwatch() as watch, store.begin() as connection:
        if store.dialect == "postgresql":
            copy_rows(connection, connection.dialect.identifier_preparer.format_table(twin), names, rows)
        else:
            listed = ", ".join(f'"{name}"' for name in names)
            connection.connection.driver_connection.executemany(
                f'INSERT INTO "{twin.name}" ({listed}) VALUES ({", ".join("?" * len(names))})', rows
            )
    return watch.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000, help="Person events to publish and land.")
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--pg-url", default=os.environ.get("GOVBUS_TEST_POSTGRES_URL"), help="PostgreSQL to land into too.")
    parser.add_argument("--trials", type=int, default=3, help="Sink and raw runs, alternated; the best of each counts.")
    args = parser.parse_args()

    settings = KafkaSettings()
    project = load_project(REPO)
    topic = publish_people(project, settings, args.events, args.partitions)
    consume_s, taken = consume(project, settings, topic, args.events)
    # The events kept for the sink runs would otherwise be rescanned by every garbage collection.
    gc.freeze()
    figures: dict = {"events": args.events, "consume_decode_events_per_s": round(rate(args.events, consume_s))}
    print(f"{args.events} person events on {topic} at {settings.bootstrap_servers}; "
          f"consume and decode alone {figures['consume_decode_events_per_s']} ev/s")

    targets = [("sqlite", None)] + ([("postgresql", args.pg_url)] if args.pg_url else [])
    with tempfile.TemporaryDirectory(prefix="govbus-bench-land-") as folder:
        for dialect, url in targets:
            with scratch_store(Path(folder), url) as store:
                landing_s, landed = land_into(project, store, topic, settings, args.events)
                with store.begin() as connection:
                    rows = [tuple(row) for row in connection.execute(select(landed))]
                # Other work on the machine slows single runs at random; alternating and keeping the
                # best of each side compares the two at their least disturbed.
                sink_s, raw_s = float("inf"), float("inf")
                for trial in range(args.trials):
                    sink_s = min(sink_s, sink_into(project, store, topic, taken, trial))
                    raw_s = min(raw_s, raw_write(store, landed, rows, trial))
            raw = "copy" if dialect == "postgresql" else "executemany"
            figures.update({
                f"{dialect}_land_rows_per_s": round(rate(args.events, landing_s)),
                f"{dialect}_sink_rows_per_s": round(rate(args.events, sink_s)),
                f"{dialect}_{raw}_rows_per_s": round(rate(args.events, raw_s)),
                f"{dialect}_ratio_sink_to_{raw}": round(raw_s / sink_s, 3),
                f"{dialect}_ratio_land_to_{raw}": round(raw_s / landing_s, 3),
            })
            print(
                f"{dialect:<10} land {figures[f'{dialect}_land_rows_per_s']:>7} rows/s | sink {figures[f'{dialect}_sink_rows_per_s']:>7} rows/s"
                f" | raw {raw} {figures[f'{dialect}_{raw}_rows_per_s']:>7} rows/s"
                f" | sink/raw {figures[f'{dialect}_ratio_sink_to_{raw}']} (target >= 0.5), land/raw {figures[f'{dialect}_ratio_land_to_{raw}']}"
            )
    finish(figures)


if __name__ == "__main__":
    main()
