"""On the demo agencies, reconciled for real, the scan finds the three redundant copies and the plan explains them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from govbus.holdings import load_catalogue, plan_all, scan_all
from govbus.land.tables import landed_table
from govbus.project import load_project
from govbus.reconcile.mapping import load_mappings
from govbus.reconcile.transforms import NORMALISERS
from govbus.registry.records import PERSON_SUBJECTS
from govbus.registry.run import run_full
from govbus.synthetic.country import generate_country
from govbus.synthetic.events import event_records
from govbus.synthetic.legacy import LEGACY_TABLES, legacy_tables

REPO_ROOT = Path(__file__).resolve().parents[3]
LANDED_IN_ORDER = ("tax", "social", "municipality", "population")  # the register's records arrive last


@pytest.fixture(scope="module")
def country():
    return generate_country(150, seed=11)


def test_the_scan_finds_the_redundant_copies_and_the_plan_explains_them(fresh_store, country, monkeypatch):
    for variable in ("GOVBUS_HOLDINGS_TAX_URL", "GOVBUS_HOLDINGS_SOCIAL_URL", "GOVBUS_HOLDINGS_MUNICIPALITY_URL"):
        monkeypatch.delenv(variable, raising=False)  # every holding sits in the store's database
    project = load_project(REPO_ROOT)
    _land(project, fresh_store, country)
    run_full(project, fresh_store)
    tables = legacy_tables(country.sources)
    for name, frame in tables.items():
        frame.to_sql(name, fresh_store.engine, index=False)

    reports = {r.holding: r for r in scan_all(project, fresh_store).holdings}
    plans = {p.holding: p for p in plan_all(project, fresh_store).plans}

    assert set(reports) == set(plans) == set(LEGACY_TABLES)
    mappings = load_mappings(REPO_ROOT / "reconcile" / "sources.yaml")
    for name, report in reports.items():
        assert report.rows == len(tables[name])
        policy = load_catalogue(project).policy
        assert report.coverage >= policy.min_coverage and report.agreement >= policy.min_agreement, name
        assert report.compared_values == sum(c["compared"] for c in report.per_column.values())
        assert plans[name].status == "proposed", (name, report.coverage, report.agreement)
        for sample in report.disagreement_samples:
            attribute = load_catalogue(project).holding(name).columns[sample["column"]]
            normalise = NORMALISERS[mappings.standard_columns[attribute].normaliser]
            assert normalise(pd.Series([sample["agency_value"]], dtype="string"))[0] != sample["golden_value"]
        assert plans[name].document["replacement"]["view"] == name
        assert {r["risk"] for r in plans[name].document["risks"]} >= {"disagreements"}
    # The tax agency keeps the city, which the registry does not: the plan names it.
    tax_risks = {r.get("column") for r in plans["tax_taxpayer_address"].document["risks"]}
    assert "city" in tax_risks
    # Addresses the register changed after the agencies copied them are measured as stale.
    assert all(r.stale_values > 0 for r in reports.values())


def _land(project, store, country) -> None:
    by_source = {source: subject for subject, source in PERSON_SUBJECTS.items()}
    for day, source in enumerate(LANDED_IN_ORDER):
        subject = by_source[source]
        topic = next(t for t in project.topics.values() if t.subject == subject)
        table = landed_table(store, topic, project.registry.get(subject))
        when = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=day)
        rows = [{**event, "_agency": source, "_occurred_at": when, "_topic": topic.name}
                for event in event_records(source, country.sources[source])]
        with store.begin() as connection:
            connection.execute(table.insert(), rows)
