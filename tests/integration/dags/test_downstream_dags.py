"""``reconcile_shared_customers`` and ``retire_redundant_holdings`` on the real broker and store."""

from __future__ import annotations

import shutil

from conftest import REPO, publish_events
from test_land_events_dag import country_events

from govbus.bus.replay import read_to_end
from govbus.codec import decode
from govbus.holdings import approve
from govbus.holdings.agency import table_state
from govbus.holdings.retire import RETIRED
from govbus.orchestration.landing import land_new_events
from govbus.registry.events import RECONCILED, topic_for
from govbus.registry.run import run_full
from govbus.synthetic.country import generate_country
from govbus.synthetic.events import SUBJECTS, event_records
from govbus.synthetic.legacy import LEGACY_TABLES, legacy_tables

HOLDING_URLS = ("GOVBUS_HOLDINGS_TAX_URL", "GOVBUS_HOLDINGS_SOCIAL_URL", "GOVBUS_HOLDINGS_MUNICIPALITY_URL")


def test_reconcile_shared_customers_links_landed_records_and_reruns_harmlessly(dag_bag, bus_project, bus_store, kafka_settings):
    publish_events(bus_project, kafka_settings, country_events(bus_project, ("population", "tax", "social", "municipality", "post")))
    land_new_events(bus_project, bus_store, settings=kafka_settings, idle_timeout_s=1)
    dag = dag_bag.get_dag("reconcile_shared_customers")

    first = dag.test()
    again = dag.test()

    assert (first.state, again.state) == ("success", "success")
    receipt = first.get_task_instance("reconcile").xcom_pull(task_ids="reconcile")
    assert receipt["people_created"] > 0
    # The scheduled run tells the bus what it changed, one reconciled event per golden record touched.
    assert receipt["events_published"] >= receipt["people_created"]
    assert receipt["events_refused"] == 0
    announced = read_to_end(kafka_settings, topic_for(bus_project, RECONCILED))
    assert sum(1 for _ in announced) >= receipt["people_created"]


def test_retire_redundant_holdings_scans_plans_and_executes_only_approved_plans(dag_bag, bus_project, bus_store, kafka_settings,
                                                                             monkeypatch):
    shutil.copytree(REPO / "contracts" / "holdings", bus_project.root / "contracts" / "holdings")
    for variable in HOLDING_URLS:
        monkeypatch.delenv(variable, raising=False)  # the demo holdings sit in the store's database
    country = generate_country(150, seed=11)
    topic_of = {topic.subject: name for name, topic in bus_project.topics.items()}
    publish_events(bus_project, kafka_settings, {topic_of[SUBJECTS[s]]: list(event_records(s, country.sources[s]))
                                                 for s in ("tax", "social", "municipality", "population")})
    land_new_events(bus_project, bus_store, settings=kafka_settings, idle_timeout_s=1)
    run_full(bus_project, bus_store)
    tables = legacy_tables(country.sources)
    for name, frame in tables.items():
        frame.to_sql(name, bus_store.engine, index=False)
    dag = dag_bag.get_dag("retire_redundant_holdings")

    first = dag.test()

    assert first.state == "success"
    assert {ti.task_id: ti.state for ti in first.get_task_instances()} == {"scan": "success", "plan": "success", "execute_approved": "success"}
    scanned = {r["holding"]: r for r in first.get_task_instance("scan").xcom_pull(task_ids="scan")["holdings"]}
    assert {name: r["rows"] for name, r in scanned.items()} == {name: len(tables[name]) for name in LEGACY_TABLES}
    plans = {p["holding"]: p for p in first.get_task_instance("plan").xcom_pull(task_ids="plan")["plans"]}
    assert {name: p["status"] for name, p in plans.items()} == {name: "proposed" for name in LEGACY_TABLES}
    executed = first.get_task_instance("execute_approved").xcom_pull(task_ids="execute_approved")
    # Nothing approved yet: every plan waits, every table stays.
    assert executed["retired"] == [] and sorted(executed["waiting_for_approval"]) == sorted(p["plan_id"] for p in plans.values())

    tax_plan = plans["tax_taxpayer_address"]["plan_id"]
    approve(bus_project, bus_store, tax_plan, by="anna.steward", reason="covered by AGR-2026-014")
    second = dag.test()

    assert second.state == "success"
    (retired,) = second.get_task_instance("execute_approved").xcom_pull(task_ids="execute_approved")["retired"]
    assert (retired["plan_id"], retired["step"], retired["manifest"]["rows"]) == (tax_plan, "announced", len(tables["tax_taxpayer_address"]))
    with bus_store.begin() as connection:
        assert {name: table_state(connection, name) for name in LEGACY_TABLES} == {
            name: "view" if name == "tax_taxpayer_address" else "table" for name in LEGACY_TABLES}
    announced = [decode(m.value, bus_project.registry).record["plan_id"] for m in read_to_end(kafka_settings, topic_for(bus_project, RETIRED))]
    assert announced == [tax_plan]
