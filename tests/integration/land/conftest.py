"""A throw-away project with topics of its own, and the store to land it in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from govbus.bus.topics import apply_topics, desired_topics
from govbus.project import Project, load_project

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def land_project(tmp_path, unique_topic, kafka_settings) -> Project:
    """Topics ``people`` (population.person.registered, 3 partitions) and ``moves`` (address_changed, 2)."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "schemas", root / "schemas")
    people, moves = unique_topic("people"), unique_topic("moves")
    topic = {"provider": "population", "key": "national_id", "retention": "1d"}
    config = {
        "name": "test-country",
        "agencies": {"population": {"name": "Population Register"}},
        "topics": {
            people: {**topic, "subject": "population.person.registered", "partitions": 3},
            moves: {**topic, "subject": "population.person.address_changed", "partitions": 2},
        },
    }
    (root / "govbus.yaml").write_text(yaml.safe_dump(config))
    project = load_project(root)
    apply_topics(desired_topics(project), kafka_settings)
    project.people, project.moves = people, moves
    return project
