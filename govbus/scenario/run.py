"""One scenario run against the running stack: deliver the country's events, let the DAGs work, sum up.

1. Draw the country and the agencies' deliveries (``plan``), and write the legacy databases.
2. Each agency sends its events under its own identity (``deliver``).
3. The stack works: the bus watcher wakes ``land_events``, landing schedules
   ``reconcile_shared_customers``; ``validate_contracts`` and ``retire_redundant_holdings`` run on
   schedules too slow for a demo, so they are triggered through the Airflow API.
4. The summary is read back from the store and the DAG runs.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from sqlalchemy import func, inspect, select, table

from govbus.errors import RetriableError
from govbus.project import Project
from govbus.registry.records import landed_person_tables
from govbus.scenario.airflow_api import AirflowApi
from govbus.scenario.deliver import deliver_all
from govbus.scenario.holdings_step import restore_retired, retire_holdings
from govbus.scenario.legacy_databases import point_environment, write_legacy_databases
from govbus.scenario.plan import plan_scenario
from govbus.scenario.summary import ScenarioSummary, compliance, event_counts, registry_counts, report_locations
from govbus.scenario.waiting import Progress, end_offsets, parse_time, trigger_and_wait, wait_for_asset_run, wait_for_landing, wait_until_idle
from govbus.security.credentials import settings_as
from govbus.security.principals import ADMIN
from govbus.store import Store

SCENARIO_DAGS = ("land_events", "reconcile_shared_customers", "validate_contracts", "retire_redundant_holdings")


def run_scenario(
    project: Project, api: AirflowApi, *, size: str, seed: int = 1, timeout_s: float = 600.0, progress: Progress = lambda *_: None
) -> ScenarioSummary:
    seconds: dict[str, float] = {}
    clock = time.monotonic()

    def lap(stage: str) -> None:
        nonlocal clock
        seconds[stage] = round(time.monotonic() - clock, 1)
        clock = time.monotonic()

    plan = plan_scenario(size, seed)
    store = Store.for_project(project)
    store.migrate()
    point_environment(project)
    restore_retired(project, store)
    write_legacy_databases(project, store, plan.country.sources)
    _wait_for_dags(api, timeout_s, progress)
    lap("prepare")

    published = 0
    total = plan.expected()["published"]

    def delivered(tally) -> None:
        nonlocal published
        published += tally.published
        progress("publishing", published, total)

    tallies = deliver_all(project, store, plan.deliveries, delivered)
    lap("publish")

    ends = end_offsets(settings_as(project, ADMIN), sorted({tally.topic for tally in tallies}))
    wait_for_landing(store, ends, timeout_s, progress)
    landing = wait_until_idle(api, "land_events", timeout_s, progress)
    lap("land")

    runs = {"land_events": landing["state"] if landing else "none"}
    since = parse_time(landing["start_date"]) if landing else datetime.now(timezone.utc)
    runs["reconcile_shared_customers"] = wait_for_asset_run(api, "reconcile_shared_customers", since, timeout_s, progress)["state"]
    if _unlinked(project, store):
        # An asset event can land between two reconciliation runs' reads: one more run links the rest.
        runs["reconcile_shared_customers"] = trigger_and_wait(api, "reconcile_shared_customers", "scenario: link the rest", timeout_s, progress)["state"]
    lap("reconcile")

    runs["validate_contracts"] = trigger_and_wait(api, "validate_contracts", "scenario: validate what landed", timeout_s, progress)["state"]
    lap("validate")
    holdings = retire_holdings(api, project, store, timeout_s, progress)
    runs["retire_redundant_holdings"] = holdings.pop("state")
    lap("retire")

    return ScenarioSummary(
        size=size,
        people=plan.people,
        events=event_counts(tallies),
        deliveries=[tally.to_dict() for tally in tallies],
        **registry_counts(store),
        holdings=holdings,
        agreements=compliance(project, store),
        **report_locations(project),
        dag_runs=runs,
        expected={**plan.expected(), "persons": plan.persons(), "complete_cases": plan.complete_cases()},
        seconds=seconds,
    )


def _wait_for_dags(api: AirflowApi, timeout_s: float, progress: Progress) -> None:
    """Until the dag-processor has parsed the scenario's DAGs (a fresh stack takes a little while)."""
    started = time.monotonic()
    while not set(SCENARIO_DAGS) <= api.dag_ids():
        progress("waiting for the DAGs to be parsed", 0, None)
        if time.monotonic() - started > timeout_s:
            missing = sorted(set(SCENARIO_DAGS) - api.dag_ids())
            raise RetriableError(f"Airflow at {api.url} has not parsed {', '.join(missing)}; see `govbus status`")
        time.sleep(2)


def _unlinked(project: Project, store: Store) -> int:
    """Landed person records the registry has not linked to a person yet."""
    from govbus.registry.tables import person_xref

    with store.begin() as connection:
        landed = sum(connection.execute(select(func.count()).select_from(table(name))).scalar()
                     for _, name in landed_person_tables(project, connection))
        linked = connection.execute(select(func.count()).select_from(person_xref)).scalar() if inspect(connection).has_table(person_xref.name) else 0
    return max(0, landed - linked)
