"""The dispute clock counts working days; the tally compares breaches with the agreement's tolerance."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from govbus.contracts.loader import load_contracts
from govbus.contracts.results import RuleResult, Status, ValidationRun
from govbus.disputes.breaches import tally
from govbus.disputes.clock import add_working_days, working_days_between

REPO = Path(__file__).resolve().parents[3]
START = datetime(2026, 3, 2, tzinfo=timezone.utc)  # a Monday


def test_ten_working_days_from_a_monday_end_on_the_second_friday_after():
    assert add_working_days(datetime(2026, 3, 2, 9, tzinfo=timezone.utc), 10).date() == date(2026, 3, 16)


def test_a_dispute_opened_on_a_saturday_starts_counting_on_monday():
    assert add_working_days(datetime(2026, 3, 7, 15, tzinfo=timezone.utc), 1).date() == date(2026, 3, 10)


def test_working_days_left_turn_negative_once_the_deadline_passed():
    assert working_days_between(date(2026, 3, 13), date(2026, 3, 16)) == 1
    assert working_days_between(date(2026, 3, 18), date(2026, 3, 16)) == -2


def run(run_id: str, contract, rows: int, failing: int, status: Status) -> ValidationRun:
    rule = RuleResult(contract.agreement.ref, "3.2", "postcode", "regex", "five digits", "expect_match", status, rows, failing)
    return ValidationRun(run_id, contract.id, contract.version, contract.agreement.ref, contract.dataset.topic, "b", START, 0.1, rows, [rule])


@pytest.fixture(scope="module")
def address_changes():
    return next(c for c in load_contracts(REPO / "contracts") if c.id == "population-address-changes")


def test_the_tolerance_is_the_agreements_completeness_shortfall(address_changes):
    counted = tally(address_changes, [run("r1", address_changes, 1000, 4, Status.failed)], START, set())
    # AGR-2026-014 promises 99.5% complete: 4 failing in 1000 is within its 0.5%.
    assert counted.tolerance == pytest.approx(0.005)
    assert not counted.passes_threshold()


def test_breaches_past_the_tolerance_pass_the_threshold_and_name_their_clauses(address_changes):
    runs = [run("r1", address_changes, 1000, 40, Status.failed), run("r2", address_changes, 1000, 0, Status.passed)]
    counted = tally(address_changes, runs, START, set())
    assert counted.share == pytest.approx(0.02) and counted.passes_threshold()
    assert counted.breached_clauses == ["3.2"]
    assert not counted.passes_threshold(min_failed_runs=2)


def test_runs_already_used_as_evidence_or_before_the_window_do_not_count(address_changes):
    runs = [run("r1", address_changes, 1000, 40, Status.failed)]
    assert not tally(address_changes, runs, START, {"r1"}).runs
    assert not tally(address_changes, runs, datetime(2026, 4, 1, tzinfo=timezone.utc), set()).runs
