"""Scanning measures each holding against the golden records; the plan explains what retiring it means."""

from __future__ import annotations

import yaml
from conftest import MOVED, TAX_URL, UNLINKED

from govbus.holdings import plan_all, scan_all
from govbus.holdings.scan import measurements
from govbus.store import Store


def test_scan_measures_coverage_agreement_and_staleness_against_the_golden_records(holdings_project, fresh_store, tax_holding):
    (report,) = scan_all(holdings_project, fresh_store).holdings

    assert (report.rows, report.covered_rows) == (20, 18)
    assert report.uncovered_samples == [{"tax_id": t} for t in sorted(UNLINKED)]
    # Two values per covered row (street, postcode); the two moved taxpayers' streets disagree.
    assert (report.compared_values, report.agreeing_values) == (36, 34)
    assert report.per_column == {"street": {"compared": 18, "agreeing": 16}, "postcode": {"compared": 18, "agreeing": 16 + 2}}
    assert {(s["key"]["tax_id"], s["golden_value"]) for s in report.disagreement_samples} == {
        (t, street.lower()) for t, street in MOVED.items()}
    # The Population Register saw both moved taxpayers' new street after the tax copy; their
    # postcodes it saw later too, but unchanged, so those copies are old yet not stale.
    assert (report.timed_values, report.stale_values) == (36, len(MOVED))
    assert report.unmapped_values == {"city": 20}
    assert report.last_access_note.startswith("unknown")


def test_a_holding_in_another_database_is_measured_against_copies_of_the_registry(
    holdings_project, fresh_store, tax_holding, tmp_path, monkeypatch
):
    # The agency's own SQLite file: another file than the store's, or another kind of database.
    elsewhere = Store(f"sqlite:///{tmp_path / 'tax-agency.db'}")
    with elsewhere.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE tax_taxpayer_address (tax_id TEXT PRIMARY KEY, street TEXT, postcode TEXT, city TEXT)")
        connection.exec_driver_sql("INSERT INTO tax_taxpayer_address VALUES (?, ?, ?, ?)", [tuple(r.values()) for r in tax_holding])
    monkeypatch.setenv(TAX_URL, elsewhere.url)

    for _ in range(2):  # the copies are dropped after each scan, so a second one starts clean
        (report,) = scan_all(holdings_project, fresh_store).holdings
        assert (report.rows, report.covered_rows, report.compared_values, report.agreeing_values) == (20, 18, 36, 34)
        assert (report.timed_values, report.stale_values) == (36, len(MOVED))
    with elsewhere.begin() as connection:
        assert [name for (name,) in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["tax_taxpayer_address"]
    # Measured, but not replaceable by a view: the plan says why.
    (plan,) = plan_all(holdings_project, fresh_store).plans
    assert plan.status == "blocked" and "cannot reach the registry" in " ".join(plan.document["blockers"])


def test_each_scan_is_kept_with_its_time_so_the_trend_shows(holdings_project, fresh_store, tax_holding):
    first = scan_all(holdings_project, fresh_store).holdings[0]
    second = scan_all(holdings_project, fresh_store).holdings[0]

    trend = measurements(fresh_store, "tax_taxpayer_address")
    assert [m["measurement_id"] for m in trend] == [first.measurement_id, second.measurement_id]
    assert [m["coverage"] for m in trend] == [0.9, 0.9]
    assert trend[0]["measured_at"] <= trend[1]["measured_at"]


def test_the_plan_lists_the_archive_the_replacement_view_and_the_risks_with_samples(holdings_project, fresh_store, tax_holding):
    scan_all(holdings_project, fresh_store)
    (plan,) = plan_all(holdings_project, fresh_store).plans

    assert plan.status == "proposed"
    document = plan.document
    assert document["archive"]["rows"] == 20 and "deflate" in document["archive"]["format"]
    assert document["replacement"]["view"] == "tax_taxpayer_address"
    assert "CREATE VIEW tax_taxpayer_address" in document["replacement"]["sql"]
    risks = {r["risk"]: r for r in document["risks"]}
    assert risks["uncovered_rows"]["count"] == 2 and len(risks["uncovered_rows"]["samples"]) == 2
    assert risks["disagreements"]["count"] == 2
    assert risks["column_not_in_registry"]["column"] == "city" and risks["column_not_in_registry"]["count"] == 20
    assert document["holding"]["legal_basis"].startswith("Tax Procedure Act")


def test_planning_again_without_a_new_scan_keeps_the_same_plan(holdings_project, fresh_store, tax_holding):
    scan_all(holdings_project, fresh_store)
    first = plan_all(holdings_project, fresh_store).plans[0]
    again = plan_all(holdings_project, fresh_store).plans[0]

    assert again.plan_id == first.plan_id and again.status == "proposed"


def test_a_holding_below_the_policy_thresholds_is_not_a_candidate(holdings_project, fresh_store, tax_holding):
    _edit_catalogue(holdings_project, lambda c: c["policy"].update(min_coverage=0.95))
    scan_all(holdings_project, fresh_store)

    (plan,) = plan_all(holdings_project, fresh_store).plans
    assert plan.status == "not_candidate"
    assert plan.document["measures"]["coverage"] == 0.9 and plan.document["measures"]["min_coverage"] == 0.95


def test_a_legal_hold_blocks_the_plan(holdings_project, fresh_store, tax_holding):
    _edit_catalogue(holdings_project, lambda c: c["holdings"]["tax_taxpayer_address"].update(legal_hold=True))
    scan_all(holdings_project, fresh_store)

    (plan,) = plan_all(holdings_project, fresh_store).plans
    assert plan.status == "blocked"
    assert "legal hold" in plan.document["blockers"][0]


def _edit_catalogue(project, change) -> None:
    path = project.contracts_dir / "holdings" / "catalogue.yaml"
    catalogue = yaml.safe_load(path.read_text())
    change(catalogue)
    path.write_text(yaml.safe_dump(catalogue))
