"""Validation history in the store, and validating a landed SQL table, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
from contract_services import copy_project

from govbus.contracts.batches import TableBatch
from govbus.contracts.history import record_run, recent_runs, run_totals
from govbus.contracts.loader import load_contracts
from govbus.contracts.results import RuleResult, Status, ValidationRun
from govbus.contracts.validate import validate_batch

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


def a_run(number: int, failing: int) -> ValidationRun:
    status = Status.failed if failing else Status.passed
    rule = RuleResult("AGR-2026-031", "3.3", "postcode", "regex", r"regex ^\d{5}$", "expect_column_values_to_match_regex",
                      status, 100, failing, float(failing), None, ("2223",) if failing else ())
    return ValidationRun(f"run{number:04d}", "post-change-of-address", "1.0.0", "AGR-2026-031", "post.address.change_notified",
                         f"batch {number}", NOW + timedelta(hours=number), 0.5, 100, [rule])


def test_runs_come_back_newest_first_within_the_window_with_their_rule_results(fresh_store):
    for number in range(12):
        record_run(fresh_store, a_run(number, failing=number % 3))
    runs = recent_runs(fresh_store, per_contract=5)
    assert [r.run_id for r in runs] == ["run0011", "run0010", "run0009", "run0008", "run0007"]
    assert runs[0].started_at == NOW + timedelta(hours=11)
    assert runs[0].rules[0].failing_count == 2 and runs[0].rules[0].sample_values == ("2223",)
    assert runs[1].status is Status.failed and runs[2].status is Status.passed
    assert run_totals(fresh_store) == {"post-change-of-address": 12}


def test_a_landed_table_is_validated_through_sqlalchemy(fresh_store, tmp_path):
    project = copy_project(tmp_path / "project")
    contract = next(c for c in load_contracts(project.contracts_dir) if c.id == "municipality-residents")
    residents = pd.DataFrame(
        [{"resident_id": f"R{n}", "national_id": None if n % 10 == 0 else f"19900101-{n:04d}", "given_name": "Nils",
          "family_name": "Holm", "date_of_birth": "1990-01-01", "street": "Skolgatan 1", "postcode": "4455" if n == 3 else "44556",
          "city": "Norrvik", "occurred_at": NOW - timedelta(hours=n)} for n in range(60)]
    )
    residents.to_sql("landed_residents", fresh_store.engine, index=False)
    run = validate_batch(project, contract, TableBatch(fresh_store.url, "landed_residents"), now=NOW)
    clauses = {c.clause: c for c in run.clauses()}
    assert run.row_count == 60 and run.batch == "table landed_residents"
    assert clauses["3.3"].status is Status.failed and clauses["3.3"].sample_values == ["4455"]
    assert clauses["4.1"].status is Status.passed and clauses["4.2"].status is Status.passed
    record_run(fresh_store, run)
    assert recent_runs(fresh_store)[0].rules == run.rules


def test_a_table_landed_by_govbus_is_checked_by_its_event_time(fresh_store, tmp_path):
    # Landing prefixes the event headers (_occurred_at); the contract names them as headers do.
    project = copy_project(tmp_path / "project")
    contract = next(c for c in load_contracts(project.contracts_dir) if c.id == "municipality-residents")
    landed = pd.DataFrame(
        [{"resident_id": f"R{n}", "national_id": None, "given_name": "Nils", "family_name": "Holm", "date_of_birth": "1990-01-01",
          "street": "Skolgatan 1", "postcode": "44556", "city": "Norrvik", "_offset": n, "_occurred_at": NOW - timedelta(days=9 + n)}
         for n in range(5)]
    )
    landed.to_sql("land_municipality_resident_registered", fresh_store.engine, index=False)
    run = validate_batch(project, contract, TableBatch(fresh_store.url, "land_municipality_resident_registered"), now=NOW)
    freshness = next(r for r in run.rules if r.rule == "freshness")
    assert freshness.status is Status.failed and freshness.observed.startswith("2026-05-23")
