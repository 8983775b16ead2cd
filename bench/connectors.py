"""Connector throughput: a table to the bus through the SQL table source, and a topic back into a table.

    python bench/connectors.py --rows 1000000
    python bench/connectors.py --rows 100000 --postgres-url postgresql+psycopg://govbus:govbus@127.0.0.1:55432/govbus
    python bench/connectors.py --rows 1000000 --postgres-url ... --store postgresql

Source: rows/s from an agency table (PostgreSQL if a URL is given, else SQLite) to the bus, with
the cursor, the mapping, schema checks and Avro encoding, against a raw kafka-python producer that
sends the same pre-encoded bytes with the same producer settings (target >= 0.7x); the two
alternate over --trials runs and the best of each counts. govbus's own store (the cursor state and
the audit log, whose entry for each batch names every person in it) is the embedded SQLite file,
or with --store postgresql a schema in the same PostgreSQL database, as deployed.
Sink (PostgreSQL only; target >= 0.5x COPY), measured twice against baselines doing the same work:
  - write path: the SQL table sink (the landing's TableSink: rows upserted and offsets stored in
    one transaction per batch) on events already read and decoded, against one COPY of the same
    decoded rows into an identical table;
  - topic to table: a whole sink run (kafka-python consumer, decoding, key and schema checks,
    upsert plus offsets per batch), against a raw kafka-python consumer with the same poll size
    whose messages are decoded with fastavro and COPYed into an identical table as they arrive.
Both sides of each pair start from the same place, so the ratio is what the sink's guarantees cost.
The write path and its COPY alternate over --trials runs and the best of each counts; the machine's
load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from common import REPO, Stopwatch, bench_broker, default_bootstrap, finish, rate
from fastavro import schemaless_reader
from kafka.structs import TopicPartition
from publish import publish_raw
from sqlalchemy import BigInteger, Column, DateTime, Index, MetaData, Table, Text, text

from govbus import codec
from govbus.bus import clients
from govbus.bus.headers import event_headers
from govbus.bus.subscriber import Subscriber
from govbus.bus.topics import TopicSpec, apply_topics
from govbus.connectors.definition import ConnectorDefinition, Direction
from govbus.connectors.mapping import RecordMapping
from govbus.connectors.run import run_source
from govbus.connectors.sink_run import run_sink, sink_for
from govbus.project import Topic, load_project
from govbus.settings import KafkaSettings
from govbus.store.bulk import driver_conversion, insert_columns
from govbus.store.engine import Store
from govbus.store.scratch import scratch_store

SUBJECT = "tax.taxpayer.registered"
FAMILY = ["ANDERSSON", "BERG", "LINDQVIST", "NYSTRÖM", "KARLSSON", "ÖBERG", "HADDAD", "KOWALSKI", "ERIKSSON", "HOLM"]
GIVEN = ["ANNA", "EVA", "MARIA", "KARIN", "LARS", "OLLE", "JOHAN", "ERIK", "SOFIA", "NILS"]
STREETS = ["Storgatan", "Kyrkvägen", "Skolgatan", "Järnvägsgatan", "Strandvägen", "Björkallén"]
MAPPING = {
    "tax_id": "tax_id",
    "full_name": {"column": "full_name", "transform": "strip"},
    "date_of_birth": {"column": "date_of_birth", "transform": "date"},
    "street": "street",
    "postcode": "postcode",
    "city": "city",
    "annual_income": "annual_income",
}


def taxpayer_rows(count: int, seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1)
    return [
        {
            "tax_id": f"{rng.randint(1930, 2006)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}-{n:07d}",
            "full_name": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
            "date_of_birth": f"{rng.randint(1930, 2006)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "street": f"{rng.choice(STREETS)} {rng.randint(1, 200)}",
            "postcode": f"{rng.randint(10000, 99999)}",
            "city": "Norrvik",
            "annual_income": rng.randint(0, 900_000),
            "updated_at": start + timedelta(milliseconds=n * 7),
        }
        for n in range(count)
    ]


def agency_table(metadata: MetaData, name: str, *, cursor: bool) -> Table:
    """The Tax Agency's taxpayer table; the source reads it by ``updated_at``, the sink fills a copy."""
    columns = [Column("tax_id", Text, primary_key=True), *(Column(c, Text) for c in ("full_name", "date_of_birth", "street", "postcode", "city"))]
    columns.append(Column("annual_income", BigInteger))
    if cursor:
        columns.append(Column("updated_at", DateTime, nullable=False))
    table = Table(name, metadata, *columns)
    if cursor:
        Index(f"{name}_cursor", table.c.updated_at, table.c.tax_id)
    return table


def fill_source(database: Store, schema: str | None, rows: list[dict]) -> str:
    metadata = MetaData(schema=schema)
    table = agency_table(metadata, "taxpayer", cursor=True)
    with database.begin() as connection:
        metadata.create_all(connection)
        columns = {}
        for table_column in table.columns:
            convert = driver_conversion(connection, table_column)
            values = [row[table_column.name] for row in rows]
            columns[table_column.name] = [convert(value) for value in values] if convert else values
        # In bulk (COPY on PostgreSQL): a million rows through SQLAlchemy's inserts took minutes.
        insert_columns(connection, table, columns)
    return f"{schema}.taxpayer" if schema else "taxpayer"


def fresh_table(database: Store, schema: str, name: str) -> tuple[str, list[str]]:
    """An empty table of the sink's shape: its qualified name and its columns."""
    metadata = MetaData(schema=schema)
    table = agency_table(metadata, name, cursor=False)
    with database.begin() as connection:
        metadata.create_all(connection)
    return f"{schema}.{name}", [c.name for c in table.columns]


@contextmanager
def copying(database: Store, target: str, names: list[str]) -> Iterator[Any]:
    """A COPY into ``target``, committed on leaving: the baselines' way of writing rows."""
    with database.begin() as connection, connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {target} ({', '.join(names)}) FROM STDIN") as copy:
            yield copy


def copy_rows(database: Store, schema: str, records: list[dict], trial: int) -> float:
    """Seconds to COPY the decoded records into a fresh table, committed: the write path's baseline."""
    target, names = fresh_table(database, schema, f"taxpayer_by_copy{trial}")
    with Stopwatch() as watch, copying(database, target, names) as copy:
        for record in records:
            copy.write_row([record[name] for name in names])
    return watch.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="Rows in the agency table (the issue's figure is 1000000).")
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--trials", type=int, default=3, help="Runs of each side (raw producer and source; write path and COPY), alternated; the best of each counts.")
    parser.add_argument("--bootstrap", default=default_bootstrap(), help="Existing broker (default: start a private one).")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("GOVBUS_BENCH_POSTGRES_URL") or os.environ.get("GOVBUS_TEST_POSTGRES_URL"),
        help="PostgreSQL for the agency tables (default: SQLite for the source, and no sink figures).",
    )
    parser.add_argument(
        "--store", choices=["sqlite", "postgresql"], default="sqlite",
        help="govbus's own store (cursor state, audit log): the embedded SQLite file, or a schema in --postgres-url's database as deployed.",
    )
    args = parser.parse_args()
    if args.store == "postgresql" and not args.postgres_url:
        parser.error("--store postgresql needs --postgres-url")

    rows = taxpayer_rows(args.rows)
    run_id = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="govbus-bench-connectors-") as work, agency_database(args.postgres_url, Path(work), run_id) as (source_db, schema):
        figures = measure(args, rows, Path(work), source_db, schema, run_id)
    print(f"source  {figures['source_rows_per_s']:>8} rows/s | raw producer {figures['raw_producer_rows_per_s']:>8} rows/s | ratio {figures['source_ratio_to_raw']} (target >= 0.7)")
    if "sink_rows_per_s" in figures:
        print(f"sink    {figures['sink_write_rows_per_s']:>8} rows/s write path (upsert + offsets) | COPY {figures['copy_rows_per_s']:>8} rows/s | ratio {figures['sink_write_ratio_to_copy']} (target >= 0.5)")
        print(f"        {figures['sink_rows_per_s']:>8} rows/s topic to table | raw consumer + COPY {figures['consume_copy_rows_per_s']:>8} rows/s | ratio {figures['sink_ratio_to_consume_copy']} (target >= 0.5)")
        print(f"        (topic to table against COPY alone: ratio {figures['sink_ratio_to_copy']}; kafka-python's reading is most of the difference)")
    print(f"load average {figures['load_average']} on {os.cpu_count()} cores")
    if "sink_rows_per_s" not in figures:
        print("sink    skipped: give --postgres-url (COPY is PostgreSQL's)")
    finish(figures)


@contextmanager
def agency_database(postgres_url: str | None, work: Path, run_id: str) -> Iterator[tuple[Store, str | None]]:
    """PostgreSQL (a schema of its own, dropped afterwards) if a URL is given, else a SQLite file."""
    if not postgres_url:
        yield Store(f"sqlite:///{work / 'tax.db'}"), None
        return
    database, schema = Store(postgres_url), f"bench_{run_id}"
    with database.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield database, schema
    finally:
        with database.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def measure(args: argparse.Namespace, rows: list[dict], work: Path, source_db: Store, schema: str | None, run_id: str) -> dict:
    with Stopwatch() as filling:
        table = fill_source(source_db, schema, rows)
    print(f"{args.rows} taxpayers in {source_db.dialect} table {table} ({filling.seconds:.1f}s to fill)")

    project = load_project(REPO)
    subject_schema = project.registry.get(SUBJECT)
    definition = ConnectorDefinition(
        name=f"bench-{run_id}", kind="sql_table", agency="tax", subject=SUBJECT, url=source_db.url, table=table,
        key="tax_id", cursor="updated_at", mapping=MAPPING, batch_size=args.batch_size,
    )
    records = [RecordMapping.of(definition, subject_schema).record(row) for row in rows]
    make_headers = event_headers(SUBJECT, "tax", subject_schema.version)
    encoded = [(r["tax_id"].encode(), codec.encode(r, subject_schema), make_headers()) for r in records]

    store_url = args.postgres_url if args.store == "postgresql" else None
    with bench_broker(args.bootstrap) as bootstrap, scratch_store(work, store_url) as store:
        settings = KafkaSettings(bootstrap_servers=bootstrap)
        store.migrate()
        # The raw producer and the source alternate, each trial on fresh topics (and a fresh
        # connector, whose cursor starts again), and the best of each counts: other work on the
        # machine slows single runs at random.
        raw_seconds, source_seconds = float("inf"), float("inf")
        for trial in range(args.trials):
            definition = source_trial(definition, project, settings, args.partitions, f"{run_id}-{trial}")
            raw_trial = publish_raw(settings, definition.topic + ".raw", encoded)
            with Stopwatch() as watch:
                run = run_source(definition, project, settings=settings, store=store)
            assert run.outcome.sent == args.rows and run.outcome.balanced, run.to_dict()
            raw_seconds, source_seconds = min(raw_seconds, raw_trial), min(source_seconds, watch.seconds)
            print(f"trial {trial + 1}: raw producer {rate(args.rows, raw_trial):.0f} rows/s, source {rate(args.rows, watch.seconds):.0f} rows/s, load {os.getloadavg()[0]:.2f}")

        figures = {
            "rows": args.rows,
            "source_database": source_db.dialect,
            "store": store.dialect,
            "batch_size": args.batch_size,
            "source_rows_per_s": round(rate(args.rows, source_seconds)),
            "raw_producer_rows_per_s": round(rate(args.rows, raw_seconds)),
            "source_ratio_to_raw": round(raw_seconds / source_seconds, 3),
        }
        if schema:
            # Each pair runs side by side (baseline, then sink) so both meet the same machine load.
            consume_copy = consume_and_copy(source_db, schema, settings, definition, subject_schema, args.rows)
            end_to_end = sink_from_topic(sink_definition(source_db, schema, definition, "by_sink"), project, settings, store, args.rows)
            events = read_events(project, settings, definition, args.rows)
            records = [event.record for event in events]
            # Other work on the machine slows single runs at random: the write path and COPY
            # alternate, and the best of each counts.
            copy_seconds, writing = float("inf"), float("inf")
            for trial in range(args.trials):
                copy_seconds = min(copy_seconds, copy_rows(source_db, schema, records, trial))
                writing = min(writing, sink_writes(sink_definition(source_db, schema, definition, f"by_writes{trial}"), project, events))
            figures.update(
                trials=args.trials,
                sink_rows_per_s=round(rate(args.rows, end_to_end)),
                consume_copy_rows_per_s=round(rate(args.rows, consume_copy)),
                sink_ratio_to_consume_copy=round(consume_copy / end_to_end, 3),
                sink_write_rows_per_s=round(rate(args.rows, writing)),
                copy_rows_per_s=round(rate(args.rows, copy_seconds)),
                sink_write_ratio_to_copy=round(copy_seconds / writing, 3),
                sink_ratio_to_copy=round(copy_seconds / end_to_end, 3),
            )
    figures["load_average"] = [round(load, 2) for load in os.getloadavg()]
    return figures


def source_trial(definition: ConnectorDefinition, project, settings: KafkaSettings, partitions: int, trial: str) -> ConnectorDefinition:
    """The source connector under a fresh name, publishing to fresh topics (the raw producer's beside them)."""
    topic = f"bench.connector.{trial}"
    specs = [TopicSpec(name, partitions, 1, {}) for name in (topic, topic + ".raw")] + [TopicSpec(topic + ".dlq", 1, 1, {})]
    apply_topics(specs, settings)
    project.topics[topic] = Topic(name=topic, subject=SUBJECT, provider="tax", key="tax_id", partitions=partitions)
    return definition.model_copy(update={"name": f"bench-{trial}", "topic": topic})


def sink_definition(database: Store, schema: str, source: ConnectorDefinition, suffix: str) -> ConnectorDefinition:
    """A sink from the source's topic into a fresh copy of the taxpayer table."""
    target, _ = fresh_table(database, schema, f"taxpayer_{suffix}")
    changes = {"name": f"{source.name}-{suffix.replace('_', '-')}", "direction": Direction.sink, "table": target, "mapping": {}}
    return source.model_copy(update=changes)


def sink_from_topic(sink: ConnectorDefinition, project, settings: KafkaSettings, store: Store, expected: int) -> float:
    """Seconds for a sink run from the topic into the table: consuming, decoding and writing."""
    last_write: list[float] = []
    with Stopwatch() as watch:
        # Timed to the last batch written: the idle wait that ends a run is not work.
        written = run_sink(sink, project, settings=settings, store=store, idle_timeout_s=1.0, on_progress=lambda _: last_write.append(time.perf_counter()))
    assert written.written == expected, written.to_dict()
    return last_write[-1] - watch.started


def read_events(project, settings: KafkaSettings, source: ConnectorDefinition, expected: int) -> list:
    """The topic's events, read and decoded once, for the write path and its COPY baseline."""
    with Subscriber(project, [source.topic], group_id=None, settings=settings, max_poll_records=source.batch_size) as subscriber:
        events = list(subscriber.events(idle_timeout_s=1.0))
    assert len(events) == expected, len(events)
    return events


def consume_and_copy(database: Store, schema: str, settings: KafkaSettings, source: ConnectorDefinition, reader, expected: int) -> float:
    """Seconds for the topic-to-table baseline: a raw consumer, fastavro decoding, one COPY, committed."""
    target, names = fresh_table(database, schema, "taxpayer_by_consume_copy")
    consumer = clients.consumer(settings, group_id=None, enable_auto_commit=False, max_poll_records=source.batch_size)
    partitions = [TopicPartition(source.topic, p) for p in sorted(consumer.partitions_for_topic(source.topic))]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    seen = 0
    with Stopwatch() as watch, copying(database, target, names) as copy:
        while seen < expected:
            for messages in consumer.poll(timeout_ms=500).values():
                for message in messages:
                    record = schemaless_reader(io.BytesIO(message.value[codec.HEADER_LENGTH :]), reader.parsed, None)
                    copy.write_row([record[name] for name in names])
                seen += len(messages)
    consumer.close()
    return watch.seconds


def sink_writes(sink: ConnectorDefinition, project, events: list) -> float:
    """Seconds for the sink's write path alone (add, then flush per batch) on events already read."""
    table_sink = sink_for(sink, project)
    with Stopwatch() as watch:
        for start in range(0, len(events), sink.batch_size):
            for event in events[start : start + sink.batch_size]:
                table_sink.add(event)
            table_sink.flush()
    return watch.seconds


if __name__ == "__main__":
    main()
