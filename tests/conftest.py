"""Shared fixtures: a private broker per test session, started by the same code as ``govbus up``.

Several sessions may run on one machine at once, so every service gets free ports and a state
dir of its own; only the repository's jars cache is shared.
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from govbus.settings import KafkaSettings
from govbus.stack import LocalBroker

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTS_DIR = Path(__file__).resolve().parent
_MARKER_BY_FOLDER = {"unit": pytest.mark.unit, "integration": pytest.mark.integration}


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
def make_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], LocalBroker]]:
    """Make brokers that are not started yet, each with its own state dir and free ports.

    They share the repository's jars cache; any left running are stopped at the end of the session.
    """
    made: list[LocalBroker] = []

    def make() -> LocalBroker:
        port, controller_port = free_ports(2)
        state_dir = tmp_path_factory.mktemp("stack")
        made.append(LocalBroker(REPO_ROOT, state_dir, port=port, controller_port=controller_port))
        return made[-1]

    yield make
    for node in made:
        node.down()


@pytest.fixture(scope="session")
def broker(make_broker: Callable[[], LocalBroker]) -> Iterator[LocalBroker]:
    """A running broker for the whole session; ``broker.bootstrap`` is ``127.0.0.1:PORT``.

    ``GOVBUS_KAFKA_BOOTSTRAP_SERVERS`` points at it while it runs, so CLI commands reach it.
    """
    node = make_broker()
    previous = os.environ.get("GOVBUS_KAFKA_BOOTSTRAP_SERVERS")
    try:
        node.up(timeout=120)
        os.environ["GOVBUS_KAFKA_BOOTSTRAP_SERVERS"] = node.bootstrap
        yield node
    finally:
        node.down()
        if previous is None:
            os.environ.pop("GOVBUS_KAFKA_BOOTSTRAP_SERVERS", None)
        else:
            os.environ["GOVBUS_KAFKA_BOOTSTRAP_SERVERS"] = previous


@pytest.fixture
def kafka_settings(broker: LocalBroker) -> KafkaSettings:
    """Client settings that reach the session's broker."""
    return KafkaSettings(bootstrap_servers=broker.bootstrap)


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
