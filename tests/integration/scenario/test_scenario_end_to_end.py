"""The scenario at small size through a real stack: broker, store, and Airflow's four processes.

The summary's numbers are checked against the generator's ground truth: every event's fate was
decided when the faults were injected, the true number of people is known, and the first case
walks the whole chain. The stack gets a copy of the demo project (its own topics on the
session's broker, its own AIRFLOW_HOME and store), as ``govbus up`` would start it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, table

from govbus.bus.topics import apply_topics, desired_topics
from govbus.land import landed_table_name
from govbus.scenario.airflow_api import AirflowApi
from govbus.scenario.case_file import case_file
from govbus.scenario.plan import plan_scenario
from govbus.scenario.run import run_scenario
from govbus.stack.airflow import LocalAirflow
from govbus.store import Store

REPO = Path(__file__).resolve().parents[3]
# Reconciliation may split or merge a few people whose records disagree too much or too little.
PERSONS_TOLERANCE = 0.05


@pytest.fixture(scope="module")
def scenario_run(demo_project, broker, find_free_ports):
    """One small scenario run on a stack of its own; yields the project, the store and the summary."""
    project = demo_project()
    (project.root / "dags").symlink_to(REPO / "dags")
    shutil.copytree(REPO / "connectors", project.root / "connectors")
    shutil.copytree(REPO / "contracts" / "holdings", project.root / "contracts" / "holdings")
    settings = broker.client_settings()
    apply_topics(desired_topics(project), settings)
    store = Store.for_project(project)
    airflow = LocalAirflow(project, store_url=store.url, kafka=settings, port=find_free_ports(1)[0], parallelism=2)
    try:
        for component in airflow.components:
            component.up(timeout=300)
        summary = run_scenario(project, AirflowApi(airflow.url), size="small", timeout_s=900)
        print(f"scenario small: {summary.seconds}, events {summary.events}, persons {summary.persons_reconciled}")
        yield project, store, summary
    finally:
        for component in reversed(airflow.components):
            component.down()


def test_every_event_has_the_fate_the_generator_gave_it(scenario_run):
    _, _, summary = scenario_run
    truth = plan_scenario("small").expected()
    assert {key: summary.events[key] for key in truth} == truth
    assert summary.events["refused"] == summary.events["failed"] == 0
    assert truth["quarantined"] > 0 and truth["dead_lettered"] > 0
    assert all(d["published"] == d["accepted"] + d["quarantined"] + d["dead_lettered"] for d in summary.deliveries)


def test_each_agency_published_its_own_subjects(scenario_run):
    project, _, summary = scenario_run
    for delivery in summary.deliveries:
        assert project.topic(delivery["topic"]).provider == delivery["agency"]
    assert {"population", "tax", "social", "municipality", "post", "embassy", "migration", "appeals", "border"} <= {
        d["agency"] for d in summary.deliveries
    }


def test_every_accepted_event_landed(scenario_run):
    _, store, summary = scenario_run
    with store.begin() as connection:
        for delivery in summary.deliveries:
            landed = connection.execute(select(func.count()).select_from(table(landed_table_name(delivery["topic"])))).scalar()
            assert landed == delivery["accepted"], delivery["topic"]


def test_reconciliation_finds_about_the_true_number_of_people(scenario_run):
    _, _, summary = scenario_run
    true_persons = summary.expected["persons"]
    assert summary.dag_runs["reconcile_shared_customers"] == "success"
    assert abs(summary.persons_reconciled - true_persons) <= PERSONS_TOLERANCE * true_persons, (
        f"{summary.persons_reconciled} persons reconciled, {true_persons} in truth"
    )
    assert summary.records_linked == sum(d["accepted"] for d in summary.deliveries if d["topic"].split(".")[0] in
                                         {"population", "tax", "social", "municipality", "post", "embassy"})


def test_a_case_chain_is_complete_and_linked_to_its_person(scenario_run):
    project, store, summary = scenario_run
    (first, *_) = summary.expected["complete_cases"]
    case = case_file(project, store, first)
    assert case.complete
    assert [step.agency for step in case.steps] == ["embassy", "migration", "appeals", "appeals", "border"]
    assert [step.outcome for step in case.steps][1:4:2] == ["refused", "upheld"]
    assert case.golden is not None
    assert {"source": "migration", "record_id": case.applicant["application_id"]} in [
        {k: r[k] for k in ("source", "record_id")} for r in case.golden["records"]
    ]


def test_contracts_were_validated_and_holdings_retired_through_the_dags(scenario_run):
    _, _, summary = scenario_run
    assert summary.dag_runs["land_events"] == "success"
    assert summary.dag_runs["validate_contracts"] in {"success", "failed"}  # failed means an agreement is broken
    validated = [a for a in summary.agreements if a["status"] != "awaiting data"]
    assert {a["contract"] for a in validated} >= {"population-registered-residents", "embassy-visa-applications", "border-entries"}
    assert summary.dag_runs["retire_redundant_holdings"] == "success"
    assert summary.holdings["scanned"] == 3
    assert summary.holdings["retired"] == summary.holdings["found"] >= 1
    assert list(summary.holdings["plans"].values()).count("retired") == summary.holdings["retired"]
    assert Path(summary.agreement_report).is_file() and Path(summary.data_docs).is_file()
