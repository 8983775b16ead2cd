"""Connector throughput: a table to the bus through the SQL table source, and a topic back into a table.

    python bench/connectors.py --rows 1000000
    python bench/connectors.py --rows 100000 --postgres-url postgresql+psycopg://govbus:govbus@127.0.0.1:55432/govbus

Source: rows/s from an agency table (PostgreSQL if a URL is given, else SQLite) to the bus, with
the cursor, the mapping, schema checks and Avro encoding, against a raw kafka-python producer that
sends the same pre-encoded bytes with the same producer settings (target >= 0.7x).
Sink: rows/s from the topic into an agency table through the SQL table sink (the landing's
TableSink: upsert plus offsets in one transaction), against COPY of the same rows into an
identical table (target >= 0.5x); PostgreSQL only. It is shown twice: the whole run (consuming
and decoding with kafka-python included) and the write path alone, on events already read.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from common import REPO, Stopwatch, bench_broker, default_bootstrap, finish, rate
from publish import publish_raw
from sqlalchemy import BigInteger, Column, DateTime, Index, MetaData, Table, Text, text

from govbus import codec
from govbus.bus.headers import event_headers
from govbus.bus.subscriber import Subscriber
from govbus.bus.topics import TopicSpec, apply_topics
from govbus.connectors.definition import ConnectorDefinition, Direction
from govbus.connectors.mapping import RecordMapping
from govbus.connectors.run import run_source
from govbus.connectors.sink_run import run_sink, sink_for
from govbus.project import Topic, load_project
from govbus.settings import KafkaSettings
from govbus.store.engine import Store

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
        for start in range(0, len(rows), 50_000):
            connection.execute(table.insert(), rows[start : start + 50_000])
    return f"{schema}.taxpayer" if schema else "taxpayer"


def copy_rows(database: Store, schema: str, records: list[dict]) -> float:
    """COPY the records into a fresh table of the sink's shape, committed: the sink's baseline."""
    metadata = MetaData(schema=schema)
    table = agency_table(metadata, "taxpayer_by_copy", cursor=False)
    with database.begin() as connection:
        metadata.create_all(connection)
    names = [c.name for c in table.columns]
    with Stopwatch() as watch, database.begin() as connection:
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY {schema}.{table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row([record[name] for name in names])
    return watch.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="Rows in the agency table (the issue's figure is 1000000).")
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--bootstrap", default=default_bootstrap(), help="Existing broker (default: start a private one).")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("GOVBUS_BENCH_POSTGRES_URL") or os.environ.get("GOVBUS_TEST_POSTGRES_URL"),
        help="PostgreSQL for the agency tables (default: SQLite for the source, and no sink figures).",
    )
    args = parser.parse_args()

    rows = taxpayer_rows(args.rows)
    run_id = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="govbus-bench-connectors-") as work, agency_database(args.postgres_url, Path(work), run_id) as (source_db, schema):
        figures = measure(args, rows, Path(work), source_db, schema, run_id)
    print(f"source  {figures['source_rows_per_s']:>8} rows/s | raw producer {figures['raw_producer_rows_per_s']:>8} rows/s | ratio {figures['source_ratio_to_raw']} (target >= 0.7)")
    if "sink_rows_per_s" in figures:
        print(f"sink    {figures['sink_rows_per_s']:>8} rows/s topic to table | COPY {figures['copy_rows_per_s']:>8} rows/s | ratio {figures['sink_ratio_to_copy']} (target >= 0.5)")
        print(f"        {figures['sink_write_rows_per_s']:>8} rows/s writing alone (upsert + offsets) | ratio {figures['sink_write_ratio_to_copy']}")
    else:
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

    with bench_broker(args.bootstrap) as bootstrap:
        settings = KafkaSettings(bootstrap_servers=bootstrap)
        source_topic, raw_topic = f"bench.connector.{run_id}", f"bench.raw.{run_id}"
        specs = [TopicSpec(name, args.partitions, 1, {}) for name in (source_topic, raw_topic)] + [TopicSpec(source_topic + ".dlq", 1, 1, {})]
        apply_topics(specs, settings)
        project.topics[source_topic] = Topic(name=source_topic, subject=SUBJECT, provider="tax", key="tax_id", partitions=args.partitions)
        definition.topic = source_topic

        raw_seconds = publish_raw(settings, raw_topic, encoded)
        store = Store(f"sqlite:///{work / 'store.db'}")
        store.migrate()
        with Stopwatch() as watch:
            run = run_source(definition, project, settings=settings, store=store)
        source_seconds = watch.seconds
        assert run.outcome.sent == args.rows and run.outcome.balanced, run.to_dict()

        figures = {
            "rows": args.rows,
            "source_database": source_db.dialect,
            "batch_size": args.batch_size,
            "source_rows_per_s": round(rate(args.rows, source_seconds)),
            "raw_producer_rows_per_s": round(rate(args.rows, raw_seconds)),
            "source_ratio_to_raw": round(raw_seconds / source_seconds, 3),
        }
        if schema:
            end_to_end = sink_from_topic(sink_definition(source_db, schema, definition, "by_sink"), project, settings, store, args.rows)
            writing = sink_writes(sink_definition(source_db, schema, definition, "by_writes"), project, settings, args.rows)
            copy_seconds = copy_rows(source_db, schema, records)
            figures.update(
                sink_rows_per_s=round(rate(args.rows, end_to_end)),
                sink_write_rows_per_s=round(rate(args.rows, writing)),
                copy_rows_per_s=round(rate(args.rows, copy_seconds)),
                sink_ratio_to_copy=round(copy_seconds / end_to_end, 3),
                sink_write_ratio_to_copy=round(copy_seconds / writing, 3),
            )
    return figures


def sink_definition(database: Store, schema: str, source: ConnectorDefinition, suffix: str) -> ConnectorDefinition:
    """A sink from the source's topic into a fresh copy of the taxpayer table."""
    metadata = MetaData(schema=schema)
    table = agency_table(metadata, f"taxpayer_{suffix}", cursor=False)
    with database.begin() as connection:
        metadata.create_all(connection)
    changes = {"name": f"{source.name}-{suffix.replace('_', '-')}", "direction": Direction.sink, "table": f"{schema}.{table.name}", "mapping": {}}
    return source.model_copy(update=changes)


def sink_from_topic(sink: ConnectorDefinition, project, settings: KafkaSettings, store: Store, expected: int) -> float:
    """Seconds for a sink run from the topic into the table: consuming, decoding and writing."""
    last_write: list[float] = []
    with Stopwatch() as watch:
        # Timed to the last batch written: the idle wait that ends a run is not work.
        written = run_sink(sink, project, settings=settings, store=store, idle_timeout_s=1.0, on_progress=lambda _: last_write.append(time.perf_counter()))
    assert written.written == expected, written.to_dict()
    return last_write[-1] - watch.started


def sink_writes(sink: ConnectorDefinition, project, settings: KafkaSettings, expected: int) -> float:
    """Seconds for the sink's write path alone (add, then flush per batch) on events already read."""
    with Subscriber(project, [sink.topic], group_id=None, settings=settings, max_poll_records=sink.batch_size) as subscriber:
        events = list(subscriber.events(idle_timeout_s=1.0))
    assert len(events) == expected, len(events)
    table_sink = sink_for(sink, project)
    with Stopwatch() as watch:
        for start in range(0, len(events), sink.batch_size):
            for event in events[start : start + sink.batch_size]:
                table_sink.add(event)
            table_sink.flush()
    return watch.seconds


if __name__ == "__main__":
    main()
