"""``validate_contracts`` on a real store: a broken agreement turns the run red, once, with reports."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from conftest import publish_events
from sqlalchemy import select

from govbus import codec
from govbus.bus import clients
from govbus.bus.headers import event_headers
from govbus.contracts.loader import load_contracts
from govbus.contracts.tables import availability_probe, contract_validation_run
from govbus.orchestration.landing import land_new_events
from govbus.synthetic.country import generate_country
from govbus.synthetic.events import event_records


def residents(project) -> tuple[str, list[dict]]:
    (registered,) = [name for name, topic in project.topics.items() if topic.subject == "population.person.registered"]
    return registered, list(event_records("population", generate_country(40, seed=3).sources["population"]))


def publish_late(project, settings, topic: str, records: list[dict], days: int) -> None:
    """Deliver events that happened ``days`` ago, as a register catching up on a backlog would."""
    schema = project.registry.get(project.topic(topic).subject)
    make_headers = event_headers(schema.subject, "population", schema.version)
    occurred = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat().encode()
    producer = clients.producer(settings)
    for record in records:
        headers = [(name, occurred if name == "occurred_at" else value) for name, value in make_headers()]
        producer.send(topic, value=codec.encode(record, schema), key=record["national_id"].encode(), headers=headers)
    producer.flush()
    producer.close()


def test_a_broken_agreement_fails_the_run_without_retries_and_names_the_clause(dag_bag, bus_project, bus_store, kafka_settings, caplog):
    from airflow.utils.state import TaskInstanceState

    registered, people = residents(bus_project)
    # Registrations must reach the consumers within 24 hours (clause 4.1); these took three days.
    publish_late(bus_project, kafka_settings, registered, people, days=3)
    land_new_events(bus_project, bus_store, settings=kafka_settings, idle_timeout_s=1)

    with caplog.at_level(logging.ERROR, logger="govbus.orchestration"):
        run = dag_bag.get_dag("validate_contracts").test()

    assert run.state == "failed"
    tries = {ti.task_id: (ti.state, ti.try_number) for ti in run.get_task_instances()}
    assert tries["validate"] == (TaskInstanceState.SUCCESS, 1)
    assert tries["publish_reports"] == (TaskInstanceState.SUCCESS, 1)
    assert tries["agreements_kept"] == (TaskInstanceState.FAILED, 1)
    (alert,) = [record.getMessage() for record in caplog.records if "GOVBUS TASK FAILED" in record.getMessage()]
    assert "validate_contracts.agreements_kept" in alert and "1 of 1 contract(s) broken" in alert
    assert "AGR-2026-012 population-registered-residents" in alert and "clause 4.1 failed: occurred_at newest event within 24h" in alert
    assert "a steward decides" in alert

    reports = bus_project.state_dir / "reports"
    assert (reports / "agreements.html").is_file() and (reports / "data_docs" / "index.html").is_file()
    with bus_store.begin() as connection:
        statuses = connection.execute(select(contract_validation_run.c.topic, contract_validation_run.c.status)).all()
    assert statuses == [(registered, "failed")]


def test_kept_agreements_leave_the_run_green_and_feeds_without_data_are_listed(dag_bag, bus_project, bus_store, kafka_settings):
    registered, people = residents(bus_project)
    publish_events(bus_project, kafka_settings, {registered: people})
    land_new_events(bus_project, bus_store, settings=kafka_settings, idle_timeout_s=1)

    run = dag_bag.get_dag("validate_contracts").test()

    assert run.state == "success"
    (verdict,) = [ti for ti in run.get_task_instances() if ti.task_id == "agreements_kept"]
    kept = verdict.xcom_pull(task_ids="agreements_kept")
    assert kept["kept"] == 1 and "population-registered-residents" not in kept["awaiting_data"]
    assert len(kept["awaiting_data"]) == len(load_contracts(bus_project.contracts_dir)) - 1
    assert (bus_project.state_dir / "reports" / "agreements.html").is_file()
    # Every contract's topic exists on the broker, so each probe of this run found it available.
    with bus_store.begin() as connection:
        probes = connection.execute(select(availability_probe.c.contract_id, availability_probe.c.available)).all()
    assert sorted(contract for contract, _ in probes) == sorted(c.id for c in load_contracts(bus_project.contracts_dir))
    assert all(available for _, available in probes)
