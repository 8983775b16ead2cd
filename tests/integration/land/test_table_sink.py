"""The SQL table sink on SQLite and PostgreSQL, fed events directly (no broker needed)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, Table, Text, select

from govbus.bus.subscriber import Event
from govbus.land import TableSink, landed_table
from govbus.land.offsets import stored_positions
from govbus.project import load_project
from govbus.store.tables import consumer_offset

REPO = Path(__file__).resolve().parents[3]
MOVES = "population.person.address_changed"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def project():
    return load_project(REPO)


def moved(project, person: str, street: str, *, partition: int = 0, offset: int, minutes: int = 0) -> Event:
    record = {"national_id": person, "street": street, "postcode": "11122", "city": "Norrvik", "moved_on": None}
    occurred = (T0 + timedelta(minutes=minutes)).isoformat()
    headers = {"event_id": f"e-{partition}-{offset}", "agency": "population", "occurred_at": occurred}
    return Event(MOVES, partition, offset, person, record, headers, project.registry.get(MOVES), 0)


def table_rows(store, table) -> dict[str, dict]:
    with store.begin() as connection:
        return {row[0]: dict(row._mapping) for row in connection.execute(select(table))}


def test_an_agency_table_gets_mapped_columns_and_the_offsets_commit_with_them(project, fresh_store):
    agency_table = Table("tax_address", MetaData(), Column("tax_id", Text, primary_key=True), Column("street", Text))
    agency_table.create(fresh_store.engine)
    sink = TableSink(fresh_store, "tax_address", ["tax_id"], {"tax_id": "national_id", "street": "street"}, group_id="tax.addresses")
    events = [moved(project, "p1", "Storgatan 1", offset=0), moved(project, "p2", "Åvägen 3", offset=1), moved(project, "p1", "Nygatan 9", offset=2)]
    for event in events:
        sink.add(event)

    assert sink.flush() == 3
    # Without landing columns the table is last-write-wins, in the order events arrived.
    assert {k: v["street"] for k, v in table_rows(fresh_store, sink.table).items()} == {"p1": "Nygatan 9", "p2": "Åvägen 3"}
    assert {(tp.topic, tp.partition): o for tp, o in stored_positions(fresh_store, "tax.addresses", [MOVES]).items()} == {(MOVES, 0): 3}


def test_re_adding_the_same_events_changes_nothing(project, fresh_store):
    table = landed_table(fresh_store, project.topic(MOVES), project.registry.get(MOVES))
    sink = TableSink(fresh_store, table, ["national_id"])
    events = [moved(project, f"p{n}", f"Storgatan {n}", offset=n) for n in range(20)]
    for event in events:
        sink.add(event)
    sink.flush()
    before = table_rows(fresh_store, table)
    with fresh_store.begin() as connection:
        offsets_before = connection.execute(select(consumer_offset)).all()

    for event in events:
        sink.add(event)
    assert sink.flush() == 20

    assert table_rows(fresh_store, table) == before
    with fresh_store.begin() as connection:
        assert connection.execute(select(consumer_offset)).all() == offsets_before


def test_offsets_order_one_partition_and_occurrence_time_orders_across_partitions(project, fresh_store):
    table = landed_table(fresh_store, project.topic(MOVES), project.registry.get(MOVES))
    sink = TableSink(fresh_store, table, ["national_id"])
    sink.add(moved(project, "p1", "Newer in partition 0", partition=0, offset=5, minutes=1))
    sink.flush()

    sink.add(moved(project, "p1", "Older in partition 0", partition=0, offset=4, minutes=9))
    sink.add(moved(project, "p2", "First", partition=1, offset=1, minutes=5))
    sink.add(moved(project, "p2", "Earlier, from partition 2", partition=2, offset=9, minutes=4))
    sink.flush()
    sink.add(moved(project, "p1", "Later, from partition 1", partition=1, offset=0, minutes=2))
    sink.flush()

    streets = {k: v["street"] for k, v in table_rows(fresh_store, table).items()}
    assert streets == {"p1": "Later, from partition 1", "p2": "First"}


def test_the_batch_hook_sees_the_rows_about_to_land(project, fresh_store):
    table = landed_table(fresh_store, project.topic(MOVES), project.registry.get(MOVES))
    seen = []
    sink = TableSink(fresh_store, table, ["national_id"], on_batch=lambda t, rows, _c: seen.append((t.name, sorted(r["street"] for r in rows))))
    sink.add(moved(project, "p1", "A", offset=0))
    sink.add(moved(project, "p1", "B", offset=1))
    sink.flush()
    sink.flush()

    # One call per non-empty batch, with the newest row per key.
    assert seen == [(table.name, ["B"])]


def test_a_newer_schema_version_widens_the_landed_table_and_keeps_its_rows(project, fresh_store):
    topic = project.topic(MOVES)
    old = landed_table(fresh_store, topic, project.registry.get(MOVES, 1))
    sink = TableSink(fresh_store, old, ["national_id"])
    sink.add(moved(project, "p1", "Storgatan 1", offset=0))
    sink.flush()

    wider = landed_table(fresh_store, topic, project.registry.get(MOVES, 2))

    assert "moved_on" not in old.c and "moved_on" in wider.c
    assert {k: (v["street"], v["moved_on"]) for k, v in table_rows(fresh_store, wider).items()} == {"p1": ("Storgatan 1", None)}


def test_landers_starting_at_once_both_get_the_table(project, fresh_store):
    topic = project.topic(MOVES)
    with ThreadPoolExecutor(4) as pool:
        tables = list(pool.map(lambda _: landed_table(fresh_store, topic, project.registry.get(MOVES)), range(4)))

    assert {tuple(t.c.keys()) for t in tables} == {tuple(tables[0].c.keys())}
    assert table_rows(fresh_store, tables[0]) == {}
