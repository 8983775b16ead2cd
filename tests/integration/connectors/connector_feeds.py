"""Agency-side feeds for the connector tests: each kind's source, filled with address changes.

A feed turns address changes (in the subject's shape) into what its agency really has: rows of a
legacy table with its own column names, outbox rows written with a business change, or files
dropped into a folder. The conformance suite drives every feed the same way.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta

import pytest
import yaml
from kafka import KafkaConsumer
from kafka.structs import TopicPartition
from sqlalchemy import Column, Date, DateTime, Integer, MetaData, Table, Text, insert, select, text, update

from govbus.bus.publisher import Publisher
from govbus.bus.subscriber import Subscriber
from govbus.connectors.cdc import change_topic, debezium_config
from govbus.connectors.definition import ConnectorDefinition, find_definition
from govbus.connectors.run import ConnectorRun, run_source
from govbus.connectors.sink_run import SinkRun, run_sink
from govbus.project import Project
from govbus.settings import KafkaSettings
from govbus.stack.connect import LocalConnect
from govbus.store.engine import Store

# Rows that break the contract's postcode rule are quarantined; a missing postcode breaks the schema.
QUARANTINED_POSTCODE = "12AB5"
REJECTED_POSTCODE = None
EPOCH = datetime(2026, 3, 1, 8, 0, 0)


ADDRESS_MAPPING = {
    "national_id": "nid",
    "street": {"column": "street_address", "transform": "strip"},
    "postcode": "zip",
    "city": {"column": "town", "transform": "title"},
    "moved_on": {"column": "moved", "transform": "date"},
}


def moves(first: int, count: int, postcode: str | None = "") -> list[dict]:
    """Address changes for persons ``first`` .. ``first + count - 1``."""
    return [
        {
            "national_id": f"19800102-{n:04d}",
            "street": f"Storgatan {n}",
            "postcode": f"{11000 + n:05d}" if postcode == "" else postcode,
            "city": "Norrvik",
            "moved_on": f"2026-03-{1 + n % 28:02d}",
        }
        for n in range(first, first + count)
    ]


def agency_table(url: str, schema: str | None, name: str, *columns: Column) -> tuple[Store, Table]:
    """An agency's database and a table created in it."""
    database = Store(url)
    metadata = MetaData(schema=schema)
    table = Table(name, metadata, *columns)
    with database.begin() as connection:
        metadata.create_all(connection)
    return database, table


class Feed:
    """One connector and the agency source behind it."""

    kind: str
    batch_size = 7

    def __init__(self, project: Project, settings: KafkaSettings, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.project = project
        self.settings = settings
        self.store = store
        self.monkeypatch = monkeypatch
        self.added = 0

    def define(self, **settings) -> ConnectorDefinition:
        """Write the definition as an agency would, in ``connectors/``, and read it back."""
        name = settings.pop("name", f"{self.kind.replace('_', '-')}-{settings.get('direction', 'source')}-moves")
        definition = {
            "name": name,
            "kind": self.kind,
            "agency": "population",
            "subject": "population.person.address_changed",
            "topic": self.project.moves,
            "schedule": "@hourly",
            "batch_size": self.batch_size,
            **settings,
        }
        (self.project.connectors_dir / f"{name}.yaml").write_text(yaml.safe_dump(definition, sort_keys=False))
        self.definition = find_definition(self.project, name)
        return self.definition

    def add(self, changes: list[dict]) -> None:
        raise NotImplementedError

    def ready(self) -> None:
        """Wait until what was added can be read by the connector."""

    def run(self) -> ConnectorRun:
        self.ready()
        return run_source(self.definition, self.project, settings=self.settings, store=self.store)

    def close(self) -> None:
        """Tidy up what outlives the test outside its folders."""


class TableFeed(Feed):
    """A legacy address table with its own column names and an ``updated_at`` cursor."""

    kind = "sql_table"

    def __init__(self, *args, url: str, schema: str | None = None) -> None:
        super().__init__(*args)
        self.database, self.table = agency_table(
            url,
            schema,
            "address_register",
            Column("person_id", Integer, primary_key=True),
            Column("nid", Text, nullable=False),
            Column("street_address", Text),
            Column("zip", Text),
            Column("town", Text),
            Column("moved", Date),
            Column("updated_at", DateTime, nullable=False),
        )
        self.table_name = f"{schema}.address_register" if schema else "address_register"
        self.define(**self.connector_settings(url))

    def connector_settings(self, url: str) -> dict:
        self.monkeypatch.setenv("ADDRESS_DB_URL", url)
        return {"url": "${ADDRESS_DB_URL}", "table": self.table_name, "key": "person_id", "cursor": "updated_at", "mapping": ADDRESS_MAPPING}

    def add(self, changes: list[dict]) -> None:
        rows = []
        for change in changes:
            self.added += 1
            rows.append(
                {
                    "person_id": self.added,
                    "nid": change["national_id"],
                    "street_address": f"  {change['street']} ",
                    "zip": change["postcode"],
                    "town": change["city"].lower(),
                    "moved": datetime.fromisoformat(change["moved_on"]).date(),
                    # Three rows share each timestamp, so ties straddle the 7-row batches.
                    "updated_at": EPOCH + timedelta(seconds=self.added // 3),
                }
            )
        with self.database.begin() as connection:
            connection.execute(insert(self.table), rows)


class CdcFeed(TableFeed):
    """The same legacy table, captured by Debezium on the session's Kafka Connect worker."""

    kind = "cdc"

    def __init__(self, *args, url: str, schema: str, worker: LocalConnect) -> None:
        self.worker = worker
        super().__init__(*args, url=url, schema=schema)
        worker.apply([self.definition], timeout=240)

    def connector_settings(self, url: str) -> dict:
        self.monkeypatch.setenv("CDC_DB_URL", url)
        # Each test has a connector of its own: its own replication slot and change topic.
        name = f"cdc-moves-{uuid.uuid4().hex[:8]}"
        return {"name": name, "url": "${CDC_DB_URL}", "table": self.table_name, "key": "person_id", "mapping": ADDRESS_MAPPING}

    def ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while message_count(self.settings, change_topic(self.definition)) < self.added:
            assert time.monotonic() < deadline, f"Debezium did not capture {self.added} changes in {timeout:.0f}s"
            time.sleep(0.5)

    def close(self) -> None:
        self.worker.remove(self.definition.name)
        slot = debezium_config(self.definition)["slot.name"]
        deadline = time.monotonic() + 60
        with self.database.begin() as connection:
            connection.execute(text(f"DROP PUBLICATION IF EXISTS {slot}"))
        while time.monotonic() < deadline:
            with self.database.begin() as connection:
                held = connection.execute(text("SELECT active FROM pg_replication_slots WHERE slot_name = :s"), {"s": slot}).scalar()
                if held is None:
                    return
                if not held:
                    connection.execute(text("SELECT pg_drop_replication_slot(:s)"), {"s": slot})
                    return
            time.sleep(0.5)


class OutboxFeed(Feed):
    """An agency that writes each address change and its outbox event in one transaction."""

    kind = "outbox"

    def __init__(self, *args, url: str) -> None:
        super().__init__(*args)
        self.database = Store(url)
        metadata = MetaData()
        self.addresses = Table(
            "resident_address", metadata, Column("national_id", Text, primary_key=True), Column("street", Text)
        )
        self.outbox = Table(
            "outbox",
            metadata,
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("subject", Text, nullable=False),
            Column("key", Text, nullable=False),
            Column("payload", Text, nullable=False),
            Column("created_at", DateTime(timezone=True), nullable=False),
            Column("sent_at", DateTime(timezone=True)),
        )
        with self.database.begin() as connection:
            metadata.create_all(connection)
        self.monkeypatch.setenv("POPULATION_DB_URL", url)
        self.define(url="${POPULATION_DB_URL}")

    def add(self, changes: list[dict]) -> None:
        for change in changes:
            with self.database.begin() as connection:
                connection.execute(insert(self.addresses).values(national_id=change["national_id"], street=change["street"]))
                connection.execute(
                    insert(self.outbox).values(
                        subject="population.person.address_changed",
                        key=change["national_id"],
                        payload=json.dumps(change),
                        created_at=datetime.now().astimezone(),
                    )
                )
            self.added += 1


class FileDropFeed(Feed):
    """A partner that drops JSON Lines files, written under a temporary name and then renamed."""

    kind = "file_drop"

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.inbox = self.project.root / "drops" / "population"
        self.inbox.mkdir(parents=True)
        self.define(options={"folder": "drops/population", "settle_seconds": 0})

    def add(self, changes: list[dict]) -> None:
        self.added += 1
        partial = self.inbox / f".moves-{self.added:03d}.jsonl.tmp"
        partial.write_text("".join(json.dumps(change) + "\n" for change in changes))
        partial.rename(self.inbox / f"moves-{self.added:03d}.jsonl")


def read_topic(project: Project, settings: KafkaSettings, topic: str) -> list[dict]:
    """Every record on ``topic``, decoded, read until it stays quiet for a second."""
    with Subscriber(project, [topic], group_id=None, settings=settings) as subscriber:
        return [event.record for event in subscriber.events(idle_timeout_s=1.0)]


def message_count(settings: KafkaSettings, topic: str) -> int:
    """How many messages ``topic`` holds, from its partitions' end offsets."""
    consumer = KafkaConsumer(**settings.client_config())
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()



class TableSinkFeed(Feed):
    """The Tax Agency's own address table, kept current from the Population Register's changes."""

    kind = "sql_table"

    def __init__(self, *args, url: str, schema: str | None = None) -> None:
        super().__init__(*args)
        self.database, self.table = agency_table(
            url,
            schema,
            "taxpayer_address",
            Column("tax_id", Text, primary_key=True),
            Column("street", Text),
            Column("postcode", Text),
            Column("city", Text),
            # The agency's own column: the sink must leave it alone.
            Column("case_note", Text),
        )
        self.monkeypatch.setenv("TAX_DB_URL", url)
        self.define(
            direction="sink",
            agency="tax",
            url="${TAX_DB_URL}",
            table=f"{schema}.taxpayer_address" if schema else "taxpayer_address",
            key="tax_id",
            mapping={"national_id": "tax_id", "street": "street", "postcode": "postcode", "city": "city"},
        )

    def add(self, changes: list[dict]) -> None:
        with Publisher(self.project, self.settings) as publisher:
            publisher.publish(self.project.moves, changes)

    def note(self, tax_id: str, note: str) -> None:
        with self.database.begin() as connection:
            connection.execute(update(self.table).where(self.table.c.tax_id == tax_id).values(case_note=note))

    def rows(self) -> dict[str, dict]:
        with self.database.begin() as connection:
            return {row.tax_id: dict(row._mapping) for row in connection.execute(select(self.table))}

    def run(self) -> SinkRun:
        return run_sink(self.definition, self.project, settings=self.settings, store=self.store, idle_timeout_s=1.0)
