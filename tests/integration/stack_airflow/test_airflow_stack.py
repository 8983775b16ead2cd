"""The local Airflow run for real: four processes on a free port over the repository's DAGs.

The stack gets a copy of the demo project (its own topics on the session's broker, its own
AIRFLOW_HOME and store under tmp), so it runs beside any other stack on the machine.
"""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from sqlalchemy import func, select, text

from govbus.bus.publisher import Publisher
from govbus.bus.topics import apply_topics, desired_topics
from govbus.land import landed_table_name
from govbus.security.bootstrap import secure_bus
from govbus.security.credentials import service_settings
from govbus.stack.airflow import AIRFLOW_PRINCIPAL, LocalAirflow
from govbus.store import Store
from govbus.synthetic.country import generate_country
from govbus.synthetic.events import event_records

REPO = Path(__file__).resolve().parents[3]
OUR_DAGS = {"land_events", "validate_contracts", "reconcile_shared_customers", "retire_redundant_holdings"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def stack(demo_project, broker):
    """Airflow started as `govbus up` starts it; stopped at the end of the module."""
    project = demo_project()
    (project.root / "dags").symlink_to(REPO / "dags")
    settings = broker.client_settings()
    apply_topics(desired_topics(project), settings)
    if broker.security:
        # As `govbus up` does: Airflow's tasks and its bus watcher act as the `airflow` principal.
        secure_bus(project, settings)
        settings = service_settings(project, AIRFLOW_PRINCIPAL)
    airflow = LocalAirflow(project, store_url=f"sqlite:///{project.state_dir / 'store.db'}", kafka=settings, port=_free_port(), parallelism=2)
    started = time.monotonic()
    try:
        statuses = [component.up(timeout=240) for component in airflow.components]
        yield airflow, statuses, time.monotonic() - started
    finally:
        for component in reversed(airflow.components):
            component.down()


def _api(airflow: LocalAirflow, path: str, token: str | None = None) -> dict:
    request = urllib.request.Request(f"{airflow.url}{path}", headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _token(airflow: LocalAirflow) -> str:
    """A JWT the SimpleAuthManager way: with every user an admin, GET /auth/token hands one out."""
    return _api(airflow, "/auth/token")["access_token"]


def _eventually(probe, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(2)
    pytest.fail(f"{what} within {timeout:.0f}s")


def _stack_memory(statuses) -> int:
    """Resident memory of every process in the components' sessions (their workers included)."""
    sessions = {status.pid for status in statuses}
    total = 0
    for process in psutil.process_iter(["pid"]):
        try:
            if os.getsid(process.pid) in sessions:
                total += process.memory_info().rss
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return total


def test_up_starts_four_healthy_processes_and_a_second_up_leaves_them_alone(stack):
    airflow, statuses, cold_start_s = stack
    assert [s.service for s in statuses] == ["airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"]
    assert all(s.running and s.answering and s.changed and s.ready_in_s is not None for s in statuses), [s.to_dict() for s in statuses]
    assert len({s.pid for s in statuses}) == 4
    memory = _stack_memory(statuses)
    print(f"airflow cold start {cold_start_s:.1f}s, resident memory {memory / 2**20:.0f} MiB")
    assert memory < 4 * 2**30

    again = LocalAirflow(airflow.project, store_url=airflow.store_url, kafka=airflow.kafka, port=airflow.port)
    repeated = [component.up() for component in again.components]
    assert [s.pid for s in repeated] == [s.pid for s in statuses]
    assert not any(s.changed for s in repeated) and all(s.answering for s in repeated), [s.to_dict() for s in repeated]


def test_the_api_server_lists_the_dags_unpaused_and_without_import_errors(stack):
    airflow, _, _ = stack
    token = _token(airflow)

    def listed():
        dags = {dag["dag_id"]: dag for dag in _api(airflow, "/api/v2/dags?limit=100", token)["dags"]}
        return dags if OUR_DAGS <= set(dags) else None

    dags = _eventually(listed, 180, "the dag-processor did not parse dags/")
    assert not any(dags[dag_id]["is_paused"] for dag_id in OUR_DAGS)
    assert dags["land_events"]["owners"] == ["govbus-platform"]
    assert _api(airflow, "/api/v2/importErrors", token)["total_entries"] == 0
    with urllib.request.urlopen(airflow.url, timeout=10) as page:
        assert page.status == 200 and b"<html" in page.read().lower()


def test_an_event_on_the_bus_wakes_land_events_which_lands_it_and_schedules_reconciliation(stack, broker):
    airflow, _, _ = stack
    project = airflow.project
    (registered,) = [name for name, topic in project.topics.items() if topic.subject == "population.person.registered"]
    residents = list(event_records("population", generate_country(5, seed=9).sources["population"]))
    published = time.monotonic()
    with Publisher(project, broker.client_settings()) as publisher:
        assert publisher.publish(registered, residents).sent == len(residents)
    store = Store(airflow.store_url)

    def landed() -> int:
        with store.begin() as connection:
            if not connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = :t"), {"t": landed_table_name(registered)}).first():
                return 0
            return connection.execute(select(func.count()).select_from(text(landed_table_name(registered)))).scalar()

    assert _eventually(landed, 240, "the event was not landed") == len(residents)
    print(f"published to landed through the bus watcher: {time.monotonic() - published:.1f}s")
    token = _token(airflow)

    def finished_run():
        runs = _api(airflow, "/api/v2/dags/land_events/dagRuns", token)["dag_runs"]
        return [run for run in runs if run["state"] in {"success", "failed"}]

    (run, *_) = _eventually(finished_run, 180, "land_events did not finish")
    assert run["run_type"] == "asset_triggered" and run["state"] == "success"

    # Landing announced the landed table through the alias: reconciliation was scheduled by it.
    def reconcile_runs():
        return _api(airflow, "/api/v2/dags/reconcile_shared_customers/dagRuns", token)["dag_runs"]

    assert {run["run_type"] for run in _eventually(reconcile_runs, 120, "reconcile_shared_customers was not scheduled")} == {"asset_triggered"}


def test_down_stops_every_process_and_frees_the_port(stack):
    airflow, statuses, _ = stack
    stopped = [component.down() for component in reversed(airflow.components)]
    assert all(s.changed and not s.running and not s.answering for s in stopped)
    assert not any(psutil.pid_exists(s.pid) for s in statuses)
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", airflow.port))
