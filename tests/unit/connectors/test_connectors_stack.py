"""Kafka Connect is an optional service of the local stack, there only for ``kind: cdc`` connectors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govbus.errors import ConfigurationError
from govbus.project import load_project
from govbus.stack.local import LocalStackSettings, check_groups, local_services

REPO = Path(__file__).resolve().parents[3]


def services(project, **settings) -> list[str]:
    only = settings.pop("only", None)
    return [service.service for service in local_services(project, LocalStackSettings(**settings), only=only)]


def test_up_leaves_connect_out_unless_asked_and_down_includes_it():
    project = load_project(REPO)
    assert LocalStackSettings().started_groups == ["kafka", "airflow"]
    assert LocalStackSettings(services="kafka,connect").started_groups == ["kafka", "connect"]
    assert services(project, only=["kafka", "connect"]) == ["kafka", "connect"]
    # Without --only (down, status) every service is listed, the worker last.
    assert services(project)[-1] == "connect"


def test_connect_points_at_the_stack_broker_and_its_own_port():
    worker = local_services(load_project(REPO), LocalStackSettings(kafka_port=19092, connect_port=18083), only=["connect"])[0]
    assert (worker.kafka.bootstrap_servers, worker.address) == ("127.0.0.1:19092", "http://127.0.0.1:18083")
    assert worker.definitions and all(d.kind == "cdc" for d in worker.definitions)


def test_without_a_cdc_connector_there_is_no_worker_to_start(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".git", ".venv", ".govbus", "node_modules", "connectors"))
    (root / "connectors").mkdir()
    assert services(load_project(root), only=["connect"]) == []


def test_an_unknown_service_names_the_known_ones():
    with pytest.raises(ConfigurationError, match="known: kafka, airflow, connect"):
        check_groups(["kafka", "zookeeper"])
