"""A throw-away project per test: the repo's schemas, with topic names no other test uses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from govbus.bus.topics import apply_topics, desired_topics
from govbus.project import Project, load_project

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def bus_project(tmp_path, unique_topic, kafka_settings) -> Project:
    """A project whose topic ``moves`` carries population.person.address_changed (3 partitions)."""
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    topic = unique_topic("moves")
    config = {
        "name": "test-country",
        "agencies": {"population": {"name": "Population Register"}, "post": {"name": "Post", "kind": "private_partner"}},
        "topics": {
            topic: {
                "subject": "population.person.address_changed",
                "provider": "population",
                "key": "national_id",
                "partitions": 3,
                "retention": "1d",
            }
        },
    }
    (tmp_path / "govbus.yaml").write_text(yaml.safe_dump(config))
    project = load_project(tmp_path)
    apply_topics(desired_topics(project), kafka_settings)
    project.moves = topic
    return project


def make_move(number: int, **changes) -> dict:
    """An address change for person ``number``."""
    record = {
        "national_id": f"19800102-{number:04d}",
        "street": f"Storgatan {number}",
        "postcode": "11122",
        "city": "Norrvik",
    }
    record.update(changes)
    return record


@pytest.fixture
def move():
    return make_move
