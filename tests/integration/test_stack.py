"""The local stack's broker, run for real: each test uses brokers of its own, not the session's."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kafka.admin import KafkaAdminClient
from typer.testing import CliRunner

from govbus.cli.main import app
from govbus.errors import ConfigurationError, FatalError
from govbus.stack import LocalBroker, ServiceStatus


def _gone_pid() -> int:
    """The pid of a process that has exited, as a crash would leave in a pid file."""
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(finished.stdout)


@pytest.fixture(scope="module")
def started(make_broker: Callable[[], LocalBroker]) -> Iterator[tuple[LocalBroker, ServiceStatus]]:
    """A broker brought up over the stale pid file of an earlier crash, and what ``up`` said."""
    node = make_broker()
    node.process.home.mkdir(parents=True)
    node.process.pid_file.write_text(f"{_gone_pid()}\n")
    status = node.up(timeout=120)
    yield node, status
    node.down()


def test_up_starts_a_broker_that_answers_metadata_requests(started):
    node, status = started
    assert status.running and status.answering and status.changed
    assert status.ready_in_s is not None and status.ready_in_s > 0
    admin = KafkaAdminClient(bootstrap_servers=[node.bootstrap], request_timeout_ms=10_000)
    try:
        cluster = admin.describe_cluster()
        assert cluster["cluster_id"] == node.cluster_id_file.read_text().strip()
        assert [broker["port"] for broker in cluster["brokers"]] == [node.port]
        # auto.create.topics.enable=false: asking about topics must not create any.
        assert admin.list_topics() == []
    finally:
        admin.close()


def test_up_cleans_a_stale_pid_file_and_says_so(started):
    _, status = started
    assert any("stale pid file" in note for note in status.notes)


def test_second_up_leaves_the_running_broker_alone(started):
    node, first = started
    # As `govbus up` from another shell: a new object over the same state dir.
    other_shell = LocalBroker(
        node.root, node.home.parent, port=node.port, controller_port=node.controller_port
    )
    again = other_shell.up()
    assert again.pid == first.pid
    assert not again.changed and again.ready_in_s is None


def test_status_reports_a_running_broker(started):
    node, first = started
    status = node.status()
    assert status.running and status.answering
    assert status.pid == first.pid
    assert status.address == f"127.0.0.1:{node.port}"
    assert status.uptime_s is not None and status.uptime_s >= 0
    assert status.data_dir == node.data_dir and (node.data_dir / "meta.properties").exists()


def test_up_names_the_port_already_in_use_and_how_to_change_it(make_broker):
    node = make_broker()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", node.port))
        squatter.listen()
        with pytest.raises(ConfigurationError, match=rf"port {node.port}.*GOVBUS_STACK_KAFKA_PORT"):
            node.up()
    assert not node.process.pid_file.exists()


def test_a_broker_that_dies_while_starting_is_reported_with_its_log(make_broker):
    node = make_broker()
    node.heap = "128m"  # below the initial 256m heap, so the JVM refuses to start
    with pytest.raises(FatalError, match="Initial heap size"):
        node.up()
    assert not node.process.pid_file.exists()


def test_down_stops_the_broker_and_frees_its_port(make_broker):
    node = make_broker()
    pid = node.up(timeout=120).pid
    status = node.down()
    assert status.changed and not status.running and not status.answering
    assert not node.process.pid_file.exists()
    assert not Path(f"/proc/{pid}").exists()
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", node.port))


def test_cli_status_json_reports_a_stopped_stack(tmp_path, monkeypatch, make_broker):
    (tmp_path / "govbus.yaml").write_text(
        "name: t\nagencies:\n  population: {name: Population Register}\n"
    )
    unused = make_broker()  # never started: only its free ports are used
    monkeypatch.setenv("GOVBUS_STACK_KAFKA_PORT", str(unused.port))
    monkeypatch.setenv("GOVBUS_STACK_KAFKA_CONTROLLER_PORT", str(unused.controller_port))
    result = CliRunner().invoke(app, ["--project", str(tmp_path), "status", "--json"])
    assert result.exit_code == 0, result.output
    kafka = json.loads(result.stdout)["kafka"]
    assert kafka["running"] is False and kafka["answering"] is False and kafka["pid"] is None
    assert kafka["address"] == f"127.0.0.1:{unused.port}"
    assert kafka["data_dir"] == str(tmp_path / ".govbus" / "kafka" / "data")
