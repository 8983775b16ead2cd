"""The rows a table sink builds from events: the record's fields plus where the event came from."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import BigInteger, Column, MetaData, Table

from govbus.bus.subscriber import Event
from govbus.land import TableSink, landed_table
from govbus.project import load_project
from govbus.store import Store

REPO = Path(__file__).resolve().parents[3]
MOVES = "population.person.address_changed"


@pytest.fixture
def landed_rows(tmp_path):
    """Flush the given events through a sink on an embedded store; return the rows it landed."""
    project = load_project(REPO)
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    store.migrate()
    table = landed_table(store, project.topic(MOVES), project.registry.get(MOVES))

    def land(*headers: dict) -> list[dict]:
        seen: list[dict] = []
        sink = TableSink(store, table, ["national_id"], on_batch=lambda _t, rows, _c: seen.extend(rows))
        for number, header in enumerate(headers):
            record = {"national_id": f"p{number}", "street": "Storgatan 1", "postcode": "11122", "city": "Norrvik", "moved_on": None}
            sink.add(Event(MOVES, 1, 40 + number, f"p{number}", record, header, project.registry.get(MOVES, 1), 1_772_355_600_000))
        sink.flush()
        return seen

    return land


def test_a_row_carries_its_event_its_agency_and_its_place_on_the_bus(landed_rows):
    [row] = landed_rows({"event_id": "e-1", "agency": "population", "occurred_at": "2026-03-01T09:00:00+00:00"})
    assert row["street"] == "Storgatan 1" and row["moved_on"] is None
    assert (row["_event_id"], row["_agency"], row["_schema_version"]) == ("e-1", "population", 1)
    assert (row["_topic"], row["_partition"], row["_offset"]) == (MOVES, 1, 40)
    assert row["_landed_at"].tzinfo is timezone.utc


def test_occurrence_time_is_kept_in_utc_and_falls_back_to_the_broker_stamp(landed_rows):
    rows = landed_rows(
        {"occurred_at": "2026-03-01T11:00:00+02:00"},
        {"occurred_at": "2026-03-01T11:00:00"},
        {},
    )
    broker_stamp = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
    assert [row["_occurred_at"] for row in rows] == [datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc), broker_stamp, broker_stamp]
    assert rows[0]["_occurred_at"].tzinfo is timezone.utc


def test_an_agency_table_without_text_columns_takes_its_records_as_rows(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'agency.db'}")
    store.migrate()
    table = Table("incomes", MetaData(), Column("annual_income", BigInteger, primary_key=True))
    table.create(store.engine)
    sink = TableSink(store, table, ["annual_income"], group_id="agency")
    writer = load_project(REPO).registry.get(MOVES, 1)
    sink.add(Event("incomes", 0, 7, "1", {"annual_income": 1}, {}, writer, 1_772_355_600_000))
    assert sink.flush() == 1
    with store.begin() as connection:
        assert connection.exec_driver_sql("SELECT annual_income FROM incomes").scalars().all() == [1]
