"""``reconcile_shared_customers`` and ``retire_redundant_holdings`` on the real broker and store."""

from __future__ import annotations

from conftest import publish_events
from test_land_events_dag import country_events

from govbus.bus.replay import read_to_end
from govbus.orchestration.landing import land_new_events
from govbus.registry.events import RECONCILED, topic_for


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


def test_retire_redundant_holdings_scans_plans_and_executes_only_approved_plans(dag_bag, bus_project, bus_store):
    run = dag_bag.get_dag("retire_redundant_holdings").test()

    assert run.state == "success"
    assert {ti.task_id: ti.state for ti in run.get_task_instances()} == {"scan": "success", "plan": "success", "execute_approved": "success"}
