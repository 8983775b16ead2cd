"""Choosing the services of `govbus up`, `status` and `down`: the broker alone, or the full stack."""

from __future__ import annotations

import json
import socket

import pytest
from typer.testing import CliRunner

from govbus.cli.main import app
from govbus.errors import ConfigurationError

AIRFLOW = ["airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project with no stack running, on ports nothing listens on."""
    (tmp_path / "govbus.yaml").write_text("name: t\nagencies:\n  population: {name: Population Register}\n")
    with socket.socket() as a, socket.socket() as b, socket.socket() as c:
        for probe in (a, b, c):
            probe.bind(("127.0.0.1", 0))
        ports = [probe.getsockname()[1] for probe in (a, b, c)]
    for name, port in zip(["KAFKA_PORT", "KAFKA_CONTROLLER_PORT", "AIRFLOW_PORT"], ports):
        monkeypatch.setenv(f"GOVBUS_STACK_{name}", str(port))
    monkeypatch.delenv("GOVBUS_STACK_SERVICES", raising=False)
    return tmp_path


def govbus(project, *args: str):
    return CliRunner().invoke(app, ["--project", str(project), *args])


def test_status_lists_the_broker_and_the_four_airflow_processes(project):
    result = govbus(project, "status", "--json")
    assert result.exit_code == 0, result.output
    services = json.loads(result.stdout)
    assert list(services) == sorted(["kafka", *AIRFLOW])
    assert not any(status["running"] or status["answering"] for status in services.values())
    api_server = services["airflow-api-server"]
    assert api_server["address"].startswith("http://127.0.0.1:") and api_server["data_dir"] == str(project / ".govbus" / "airflow")


def test_only_narrows_status_to_the_named_services(project):
    result = govbus(project, "status", "--json", "--only", "airflow")
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(result.stdout)) == sorted(AIRFLOW)


def test_an_unknown_service_is_refused_naming_the_known_ones(project, monkeypatch):
    # govbus.cli.main turns a ConfigurationError into its one-line message and exit code 1.
    result = govbus(project, "up", "--only", "spark")
    assert isinstance(result.exception, ConfigurationError)
    assert str(result.exception) == "unknown service 'spark' (known: kafka, airflow, connect)"

    monkeypatch.setenv("GOVBUS_STACK_SERVICES", "kafka,airflw")
    result = govbus(project, "up")
    assert isinstance(result.exception, ConfigurationError)
    assert str(result.exception) == "GOVBUS_STACK_SERVICES: unknown service 'airflw' (known: kafka, airflow, connect)"
