"""The audit log on SQLite and PostgreSQL: concurrent writers keep one chain; SQL tampering is caught."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from govbus.audit import entries, record, verify_chain

WRITERS, EACH = 4, 40


def test_concurrent_writers_append_one_unbroken_chain(fresh_store, report_counts):
    def write(agency: str) -> None:
        for number in range(EACH):
            record(fresh_store, "consume", agency, [f"{agency}-{number}"], "AGR-2026-012", {"n": number})

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(write, ["tax", "social", "municipality", "registry"]))
    report = verify_chain(fresh_store)
    report_counts(f"audit chain on {fresh_store.dialect}: {report.checked} entries from {WRITERS} concurrent writers, intact={report.intact}")
    assert report.intact, report.problems
    assert [e.seq for e in entries(fresh_store)] == list(range(1, WRITERS * EACH + 1))


def test_direct_sql_changes_are_refused_and_when_forced_caught_by_verify(fresh_store, demo_project, govbus_cli, monkeypatch):
    for number in range(1, 6):
        record(fresh_store, "merge", "reconciler", [f"19700101-000{number}"], None, {"golden_id": number})
    with pytest.raises(Exception, match="append-only"):
        with fresh_store.begin() as connection:
            connection.execute(text("UPDATE audit_entry SET actor = 'tax' WHERE seq = 2"))

    disable = {
        "postgresql": ["ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only"],
        "sqlite": ["DROP TRIGGER audit_entry_no_update"],
    }[fresh_store.dialect]
    with fresh_store.begin() as connection:
        for statement in disable:
            connection.execute(text(statement))
        connection.execute(text("UPDATE audit_entry SET details = :details WHERE seq = 2"), {"details": '{"golden_id":99}'})

    monkeypatch.setenv("GOVBUS_STORE_URL", fresh_store.url)
    result = govbus_cli("--project", demo_project().root, "audit", "verify", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [(p["seq"], p["problem"]) for p in report["problems"]] == [(2, "modified")]
