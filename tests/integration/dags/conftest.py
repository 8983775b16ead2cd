"""The DAGs against real services: a private Airflow metadata DB, the session's broker, a store.

Airflow reads its configuration once, when first imported, so ``airflow_home`` sets it before
any test here imports Airflow; test modules import Airflow inside fixtures and tests only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from govbus.bus.publisher import Publisher
from govbus.bus.topics import apply_topics, desired_topics
from govbus.contracts import checks_for
from govbus.project import Project
from govbus.store import Store
from govbus.store.scratch import scratch_store

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory):
    """A private AIRFLOW_HOME with a migrated SQLite metadata DB; the repository's dags/ to parse."""
    home = tmp_path_factory.mktemp("airflow_home")
    patch = pytest.MonkeyPatch()
    for name, value in {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
    }.items():
        patch.setenv(name, value)
    if "airflow" in sys.modules:
        pytest.fail("Airflow was imported before the DAG tests could point it at a private AIRFLOW_HOME")
    from airflow.utils import db

    db.initdb()
    yield home
    patch.undo()


@pytest.fixture(scope="session")
def dag_bag(airflow_home):
    """Every DAG file in dags/, parsed as the dag-processor parses it."""
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags"))


@pytest.fixture
def bus_project(demo_project, tmp_path, kafka_settings, monkeypatch) -> Project:
    """A copy of the demo project on the session broker, its topics created; DAG tasks find it by env."""
    project = demo_project()
    apply_topics(desired_topics(project), kafka_settings)
    monkeypatch.setenv("GOVBUS_PROJECT", str(project.root))
    monkeypatch.setenv("GOVBUS_STORE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    return project


@pytest.fixture
def bus_store(bus_project) -> Store:
    return Store.for_project(bus_project)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, bus_project, tmp_path, monkeypatch):
    """The tasks' store on each backend: a SQLite file, and a private schema in the test PostgreSQL."""
    url = os.environ.get("GOVBUS_TEST_POSTGRES_URL") if request.param == "postgresql" else None
    if request.param == "postgresql" and not url:
        pytest.skip("GOVBUS_TEST_POSTGRES_URL is not set (bash scripts/postgres.sh starts one)")
    with scratch_store(tmp_path, url) as store:
        monkeypatch.setenv("GOVBUS_STORE_URL", store.url)
        yield store


def publish_events(project: Project, settings, events: dict[str, list[dict]]) -> dict[str, int]:
    """Publish ``events`` by topic with the contracts' record checks; returns events sent per topic."""
    sent = {}
    with Publisher(project, settings, checks=checks_for(project)) as publisher:
        for topic, records in events.items():
            sent[topic] = publisher.publish(topic, records).sent
    return sent
