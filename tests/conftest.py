"""Shared fixtures: a private broker per test session, started by the same code as ``govbus up``.

Several sessions may run on one machine at once, so every service gets free ports and a state
dir of its own; only the repository's jars cache is shared.

The session's broker runs with security on, as ``govbus up`` does: clients authenticate with
SASL/SCRAM-SHA-512 and ACLs are enforced. ``kafka_settings`` and the ``GOVBUS_KAFKA_*``
environment (for CLI subprocesses) carry the admin's credentials, so tests that are not about
access work as before. ``GOVBUS_TEST_KAFKA_SECURITY=0`` runs the session broker without it.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from kafka import KafkaConsumer
from typer.testing import CliRunner

from govbus.project import Project, load_project
from govbus.settings import KafkaSettings
from govbus.stack import LocalBroker
from govbus.store import Store
from govbus.store.scratch import scratch_store

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTS_DIR = Path(__file__).resolve().parent
_MARKER_BY_FOLDER = {"unit": pytest.mark.unit, "integration": pytest.mark.integration}
SESSION_SECURITY = os.environ.get("GOVBUS_TEST_KAFKA_SECURITY", "1") != "0"


_COUNTS = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """The counts the fault and bad-input suites checked, shown even when output is captured."""
    lines = config.stash.get(_COUNTS, [])
    if lines:
        terminalreporter.section("counts checked")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def report_counts(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Report one line of what a test checked; pytest prints all of them in its summary."""

    def report(line: str) -> None:
        request.config.stash.setdefault(_COUNTS, []).append(f"{request.node.name}: {line}")

    return report


@pytest.fixture(scope="session")
def resident() -> Callable[..., dict]:
    """``resident(number, **changes)``: a Population Register resident, valid under AGR-2026-012 and
    different for every ``number`` below a million."""

    def make(number: int, **changes) -> dict:
        year = f"19{(number // 10_000) % 100:02d}"
        record = {
            "national_id": f"{year}0101-{number % 10_000:04d}",
            "given_name": f"Linnea{number}",
            "family_name": "Ek",
            "date_of_birth": f"{year}-01-01",
            "sex": "FMX"[number % 3],
            "street": f"Sjövägen {number}",
            "postcode": "11122",
            "city": "Norrvik",
            "civil_status": "single",
            "passport_number": None,
        }
        record.update(changes)
        return record

    return make


@pytest.fixture(scope="session")
def read_topic() -> Callable[[KafkaSettings, str], list]:
    """Read every message now on a topic, from the start of each partition."""

    def read(settings: KafkaSettings, topic: str) -> list:
        consumer = KafkaConsumer(topic, **settings.client_config(), auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=5000)
        try:
            return list(consumer)
        finally:
            consumer.close()

    return read


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        try:
            folder = item.path.resolve().relative_to(TESTS_DIR).parts[0]
        except ValueError:
            continue
        if folder in _MARKER_BY_FOLDER:
            item.add_marker(_MARKER_BY_FOLDER[folder])


def free_ports(count: int = 1) -> list[int]:
    """Ports nobody listens on now; held open together so the same port is not given twice."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


@pytest.fixture(scope="session")
def find_free_ports() -> Callable[[int], list[int]]:
    """``free_ports`` as a fixture, for test folders that cannot import this module."""
    return free_ports


@pytest.fixture(scope="session")
def make_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., LocalBroker]]:
    """Make brokers that are not started yet, each with its own state dir and free ports.

    ``make_broker(security=True)`` makes one that authenticates clients and enforces ACLs. They
    share the repository's jars cache; any left running are stopped at the end of the session.
    """
    made: list[LocalBroker] = []

    def make(*, security: bool = False) -> LocalBroker:
        port, controller_port = free_ports(2)
        state_dir = tmp_path_factory.mktemp("stack")
        made.append(LocalBroker(REPO_ROOT, state_dir, port=port, controller_port=controller_port, security=security))
        return made[-1]

    yield make
    for node in made:
        node.down()


def client_environment(settings: KafkaSettings) -> dict[str, str]:
    """The ``GOVBUS_KAFKA_*`` variables that make a CLI command or child process use ``settings``."""
    env = {"GOVBUS_KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers, "GOVBUS_KAFKA_SECURITY_PROTOCOL": settings.security_protocol}
    if settings.sasl_mechanism:
        env["GOVBUS_KAFKA_SASL_MECHANISM"] = settings.sasl_mechanism
        env["GOVBUS_KAFKA_SASL_USERNAME"] = settings.sasl_username
        env["GOVBUS_KAFKA_SASL_PASSWORD"] = settings.sasl_password.get_secret_value()
    return env


@pytest.fixture(scope="session")
def broker(make_broker: Callable[..., LocalBroker]) -> Iterator[LocalBroker]:
    """A running broker for the whole session; ``broker.bootstrap`` is ``127.0.0.1:PORT``.

    ``GOVBUS_KAFKA_*`` point at it (as the admin when security is on) while it runs, so CLI
    commands and child processes reach it.
    """
    node = make_broker(security=SESSION_SECURITY)
    environment = client_environment(node.client_settings())
    previous = {name: os.environ.get(name) for name in [*environment, "GOVBUS_KAFKA_SASL_MECHANISM", "GOVBUS_KAFKA_SASL_USERNAME", "GOVBUS_KAFKA_SASL_PASSWORD"]}
    try:
        node.up(timeout=120)
        os.environ.update(environment)
        yield node
    finally:
        node.down()
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def kafka_settings(broker: LocalBroker) -> KafkaSettings:
    """Client settings that reach the session's broker, as the admin when security is on."""
    return broker.client_settings()


@pytest.fixture(scope="session")
def secure_broker(broker: LocalBroker, make_broker: Callable[..., LocalBroker]) -> LocalBroker:
    """A broker that authenticates clients and enforces ACLs: the session's, unless that runs without security.

    Tests on it that change ACLs or credentials must not rely on what an earlier test left.
    """
    if broker.security:
        return broker
    node = make_broker(security=True)
    node.up(timeout=120)
    return node


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store nothing has touched, not even migrations: a SQLite file, or a private schema in the test PostgreSQL."""
    url = os.environ.get("GOVBUS_TEST_POSTGRES_URL") if request.param == "postgresql" else None
    if request.param == "postgresql" and not url:
        pytest.skip("GOVBUS_TEST_POSTGRES_URL is not set")
    with scratch_store(tmp_path, url) as store:
        yield store


@pytest.fixture
def fresh_store(empty_store: Store) -> Store:
    """A migrated, empty store."""
    empty_store.migrate()
    return empty_store


@pytest.fixture
def secure_environment(secure_broker: LocalBroker, monkeypatch: pytest.MonkeyPatch) -> KafkaSettings:
    """``GOVBUS_KAFKA_*`` set to reach ``secure_broker`` as its admin, for CLI commands; returns those settings."""
    settings = secure_broker.client_settings()
    for name, value in client_environment(settings).items():
        monkeypatch.setenv(name, value)
    return settings


@pytest.fixture(scope="session")
def govbus_cli() -> Callable[..., Result]:
    """Run ``govbus ARGS`` in-process and return click's result.

    The real app, with the access, agencies, audit and disputes groups added while
    govbus/cli/commands.py does not register them yet.
    """
    from govbus.cli import access, agencies, audit, disputes
    from govbus.cli.main import app

    registered = {group.name for group in app.registered_groups}
    for module, name in [(access, "access"), (agencies, "agencies"), (audit, "audit"), (disputes, "disputes")]:
        if name not in registered:
            app.add_typer(module.app, name=name, help=module.__doc__.strip().splitlines()[0])

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, [str(arg) for arg in args])

    return run


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Project]:
    """Make copies of the demo project (govbus.yaml, schemas, contracts) whose topics no other test uses.

    Each topic ``<name>`` becomes ``<name>.<random>`` (``project.suffix``), in govbus.yaml and in
    the contracts alike; subjects, agencies and agreements stay as they are. Topics are not created.
    """

    def make() -> Project:
        suffix = uuid.uuid4().hex[:8]
        root = tmp_path_factory.mktemp(f"demo-{suffix}")
        shutil.copytree(REPO_ROOT / "schemas", root / "schemas")
        config = yaml.safe_load((REPO_ROOT / "govbus.yaml").read_text())
        config["topics"] = {f"{name}.{suffix}": topic for name, topic in config["topics"].items()}
        (root / "govbus.yaml").write_text(yaml.safe_dump(config))
        (root / "contracts").mkdir()
        for source in sorted((REPO_ROOT / "contracts").glob("*.yaml")):
            contract = yaml.safe_load(source.read_text())
            contract["dataset"]["topic"] = f"{contract['dataset']['topic']}.{suffix}"
            (root / "contracts" / source.name).write_text(yaml.safe_dump(contract, allow_unicode=True))
        project = load_project(root)
        project.suffix = suffix
        return project

    return make


@pytest.fixture
def unique_topic(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Make topic names no other test (or test session) on the broker uses.

    ``unique_topic("population.person.address_changed")`` gives
    ``population.person.address_changed.<test name>.<random>``.
    """

    def make(prefix: str = "test") -> str:
        test_name = re.sub(r"[^a-zA-Z0-9_-]+", "-", request.node.name)[:80]
        return f"{prefix}.{test_name}.{uuid.uuid4().hex[:8]}"

    return make
