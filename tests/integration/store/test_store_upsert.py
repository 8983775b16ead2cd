"""Upserts on SQLite and PostgreSQL: ON CONFLICT, the portable merge and COPY agree row for row."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import JSON, BigInteger, Column, Date, DateTime, MetaData, Numeric, Table, Text, Uuid, select

from govbus.store.bulk import bulk_upsert
from govbus.store.upsert import merge, upsert


def newer_version(stored, incoming):
    return incoming["version"] > stored["version"]


@pytest.fixture
def benefits(empty_store):
    table = Table(
        "benefit",
        MetaData(),
        Column("insured_id", Text, primary_key=True),
        Column("benefit", Text),
        Column("version", BigInteger),
        Column("details", JSON),
        Column("granted_on", Date),
        Column("decided_at", DateTime(timezone=True)),
        Column("amount", Numeric(10, 2)),
        Column("case_id", Uuid),
    )
    table.create(empty_store.engine)
    return empty_store, table


def benefit(insured: str, name: str, version: int) -> dict:
    return {
        "insured_id": insured,
        "benefit": name,
        "version": version,
        "details": {"days": [1, 2], "note": "ålder"},
        "granted_on": date(2026, 1, version % 28 + 1),
        "decided_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        "amount": Decimal("1234.50"),
        "case_id": uuid.UUID(int=version),
    }


def stored(store, table) -> dict[str, dict]:
    with store.begin() as connection:
        return {row.insured_id: dict(row._mapping) for row in connection.execute(select(table))}


@pytest.mark.parametrize("write", [upsert, merge, bulk_upsert], ids=["upsert", "merge", "bulk_upsert"])
def test_newer_versions_replace_rows_and_older_ones_do_not(benefits, write):
    store, table = benefits
    with store.begin() as connection:
        write(connection, table, [benefit("s1", "parental", 2), benefit("s2", "sickness", 1)], ["insured_id"], newer=newer_version)
    with store.begin() as connection:
        write(connection, table, [benefit("s1", "stale", 1), benefit("s2", "housing", 3), benefit("s3", "pension", 1)], ["insured_id"], newer=newer_version)

    rows = stored(store, table)
    assert {k: (v["benefit"], v["version"]) for k, v in rows.items()} == {
        "s1": ("parental", 2),
        "s2": ("housing", 3),
        "s3": ("pension", 1),
    }
    # Every type comes back as it went in, whichever path wrote it.
    expected = benefit("s2", "housing", 3)
    assert {k: rows["s2"][k] for k in expected if k != "decided_at"} == {k: v for k, v in expected.items() if k != "decided_at"}
    decided_at = rows["s2"]["decided_at"]
    # SQLite keeps no zone; the sink writes UTC there.
    assert (decided_at if decided_at.tzinfo else decided_at.replace(tzinfo=timezone.utc)) == expected["decided_at"]


@pytest.mark.parametrize("write", [upsert, merge, bulk_upsert], ids=["upsert", "merge", "bulk_upsert"])
def test_without_a_guard_the_last_write_wins(benefits, write):
    store, table = benefits
    with store.begin() as connection:
        write(connection, table, [benefit("s1", "parental", 2)], ["insured_id"])
        write(connection, table, [benefit("s1", "stale", 1)], ["insured_id"])

    assert stored(store, table)["s1"]["benefit"] == "stale"
