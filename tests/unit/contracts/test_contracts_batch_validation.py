"""Per-batch enforcement with GX: results come back per agreement clause, as typed data."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest
from contract_files import NOTICE, copy_project

from govbus.contracts.batch_files import read_batch
from govbus.contracts.batches import FrameBatch
from govbus.contracts.loader import load_contracts
from govbus.contracts.results import Status
from govbus.contracts.suite import build_suite, plan
from govbus.contracts.validate import validate_batch
from govbus.reports.paths import reports_dir

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


def notices(count: int, **overrides) -> pd.DataFrame:
    rows = [{**NOTICE, "notice_id": f"N-{n:06d}", "occurred_at": (NOW - timedelta(minutes=n)).isoformat()} for n in range(count)]
    frame = pd.DataFrame(rows)
    for column, values in overrides.items():
        for index, value in values.items():
            frame.loc[index, column] = value
    return frame


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def contracts(project):
    return {c.id: c for c in load_contracts(project.contracts_dir)}


def test_a_batch_with_bad_postcodes_and_a_reused_notice_number_fails_those_clauses(project, contracts):
    frame = notices(400, postcode={7: "2223", 99: "ABCDE"}, notice_id={5: "N-000004"})
    run = validate_batch(project, contracts["post-change-of-address"], FrameBatch(frame, "notices.csv"), now=NOW)
    clauses = {c.clause: c for c in run.clauses()}
    assert run.status is Status.failed and run.row_count == 400
    assert clauses["3.3"].status is Status.failed and clauses["3.3"].failing_count == 2
    assert sorted(clauses["3.3"].sample_values) == ["2223", "ABCDE"]
    assert clauses["3.1"].status is Status.failed and clauses["3.1"].sample_values == ["N-000004", "N-000004"]
    assert clauses["3.1"].text == "Each notice has its own notice number, never reused."
    assert {clauses[c].status for c in ("3.2", "3.4", "3.5", "5.1", "5.2", "5.3")} == {Status.passed}
    # The Data Docs page the report links to was written by the checkpoint's action.
    assert (reports_dir(project) / run.data_docs).is_file()


def test_service_levels_freshness_and_completeness_are_checked(project, contracts):
    stale = NOW + timedelta(days=2)
    frame = notices(200, full_name={3: None})
    run = validate_batch(project, contracts["post-change-of-address"], FrameBatch(frame, "late.csv"), now=stale)
    by_rule = {(r.clause, r.field, r.rule): r for r in run.rules}
    freshness = by_rule[("5.1", "occurred_at", "freshness")]
    assert freshness.status is Status.failed and freshness.observed.startswith("2026-06-01T12:00:00")
    completeness = by_rule[("5.2", "full_name", "completeness")]
    assert completeness.status is Status.failed and completeness.failing_count == 1 and completeness.sample_values == ("null",)


def test_a_warning_rule_gives_a_warning_not_a_failure(project, contracts):
    moves = pd.DataFrame(
        [{"national_id": f"19800102-{n:04d}", "street": "Storgatan 1", "postcode": "11122", "city": "Norrvik",
          "moved_on": "soon" if n == 3 else "2026-05-30", "occurred_at": NOW.isoformat()} for n in range(50)]
    )
    run = validate_batch(project, contracts["population-address-changes"], FrameBatch(moves, "moves"), now=NOW)
    clauses = {c.clause: c for c in run.clauses()}
    assert clauses["3.3"].status is Status.warning and clauses["3.3"].sample_values == ["soon"]
    assert run.status is Status.warning


def test_a_missing_column_is_an_error_of_its_clause_not_a_crash(project, contracts):
    frame = notices(20).drop(columns=["occurred_at"])
    run = validate_batch(project, contracts["post-change-of-address"], FrameBatch(frame, "no-times"), now=NOW)
    freshness = next(r for r in run.rules if r.rule == "freshness")
    assert freshness.status is Status.error and "occurred_at" in freshness.message
    assert run.status is Status.error


def test_csv_batches_keep_postcodes_as_text(project, contracts, tmp_path):
    path = tmp_path / "notices.csv"
    notices(30, postcode={0: "01234"}, old_postcode={1: "00999"}).to_csv(path, index=False)
    batch = read_batch(project, contracts["post-change-of-address"], path)
    assert batch.frame.loc[0, "postcode"] == "01234"
    run = validate_batch(project, contracts["post-change-of-address"], batch, now=NOW)
    assert next(c for c in run.clauses() if c.clause == "3.3").status is Status.passed


def test_the_suite_carries_the_agreement_clause_of_each_expectation(contracts):
    contract = contracts["post-change-of-address"]
    suite = build_suite(contract, plan(contract, NOW))
    metas = [e.meta for e in suite.expectations]
    assert {m["agreement"] for m in metas} == {"AGR-2026-031"}
    assert {m["clause"] for m in metas} | {a["clause"] for m in metas for a in m["also"]} == {"3.1", "3.2", "3.3", "3.4", "3.5", "5.1", "5.2", "5.3"}
    # notice_id not_null (3.1) and its completeness of 100% (5.2) are one GX expectation, two clauses.
    shared = next(m for m in metas if m["field"] == "notice_id" and m["rule"] == "not_null")
    assert [a["clause"] for a in shared["also"]] == ["5.2"]
