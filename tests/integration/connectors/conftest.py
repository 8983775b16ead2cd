"""A throw-away project per test with one address-change topic, its contract, and agency databases."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.engine import make_url

from govbus.bus.topics import apply_topics, desired_topics
from govbus.project import Project, load_project
from govbus.stack.connect import LocalConnect
from govbus.store.engine import Store

REPO = Path(__file__).resolve().parents[3]
SUBJECT = "population.person.address_changed"


@pytest.fixture
def connector_project(tmp_path, unique_topic, kafka_settings) -> Project:
    """A project whose topic ``project.moves`` carries address changes under the real contract.

    The contract quarantines, so the topic gets its quarantine twin as well as its dead-letter one.
    """
    root = tmp_path / "project"
    shutil.copytree(REPO / "schemas", root / "schemas")
    topic = unique_topic("moves")
    config = {
        "name": "test-country",
        "agencies": {
            "population": {"name": "Population Register"},
            "tax": {"name": "Tax Agency"},
            "social": {"name": "Social Insurance Agency"},
        },
        "topics": {
            topic: {"subject": SUBJECT, "provider": "population", "key": "national_id", "partitions": 3, "retention": "1d"}
        },
    }
    (root / "govbus.yaml").write_text(yaml.safe_dump(config))
    contract = yaml.safe_load((REPO / "contracts" / "population-address-changes.yaml").read_text())
    contract["dataset"]["topic"] = topic
    (root / "contracts").mkdir()
    (root / "contracts" / "address-changes.yaml").write_text(yaml.safe_dump(contract, sort_keys=False))
    (root / "connectors").mkdir()
    project = load_project(root)
    apply_topics(desired_topics(project), kafka_settings)
    project.moves = topic
    return project


@pytest.fixture
def store(connector_project) -> Store:
    """The project's embedded store, where cursors are kept."""
    connector_project.state_dir.mkdir(exist_ok=True)
    return Store(f"sqlite:///{connector_project.state_dir / 'store.db'}")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("GOVBUS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("GOVBUS_TEST_POSTGRES_URL is not set (bash scripts/postgres.sh prints one)")
    return url


@contextmanager
def _schema(url: str) -> Iterator[str]:
    name = f"agency_{uuid.uuid4().hex[:10]}"
    database = Store(url)
    with database.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {name}"))
    yield name
    with database.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {name} CASCADE"))


@pytest.fixture
def postgres_schema(postgres_url) -> Iterator[str]:
    """A schema of its own in the test database, dropped afterwards; yields its name."""
    with _schema(postgres_url) as name:
        yield name


@pytest.fixture(scope="session")
def cdc_postgres_url(postgres_url) -> str:
    """A database with logical replication: GOVBUS_TEST_CDC_POSTGRES_URL, else the test database.

    A cluster of its own keeps replication slots from waiting on other sessions' open transactions.
    """
    url = os.environ.get("GOVBUS_TEST_CDC_POSTGRES_URL", postgres_url)
    with Store(url).begin() as connection:
        level = connection.execute(text("SHOW wal_level")).scalar_one()
    if level != "logical":
        pytest.fail(f"{Store(url)} has wal_level={level}; CDC needs logical: ALTER SYSTEM SET wal_level = logical, then restart")
    return url


@pytest.fixture
def cdc_schema(cdc_postgres_url) -> Iterator[str]:
    with _schema(cdc_postgres_url) as name:
        yield name


@pytest.fixture(scope="session")
def connect_worker(broker, cdc_postgres_url, tmp_path_factory) -> Iterator[LocalConnect]:
    """One Kafka Connect worker for the session; each CDC test adds its own Debezium connector."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    worker = LocalConnect(REPO, tmp_path_factory.mktemp("connect"), [], kafka=broker.client_settings(), port=port)
    # The feeds' definitions read url: ${CDC_DB_URL}; the worker gets its password as govbus up would pass it.
    os.environ["GOVBUS_CDC_PASSWORD_CDC_DB_URL"] = make_url(cdc_postgres_url).password or ""
    try:
        worker.up(timeout=300)
        yield worker
    finally:
        worker.down()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'agency.db'}"
