"""A small synthetic country landed into a store, as the landers would leave it."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from govbus.land.tables import landed_table
from govbus.project import Project, load_project
from govbus.registry.records import PERSON_SUBJECTS
from govbus.store import Store
from govbus.synthetic.country import generate_country
from govbus.synthetic.events import event_records

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def small_country():
    return generate_country(200, seed=7)


@pytest.fixture
def registry_project() -> Project:
    return load_project(REPO_ROOT)


@pytest.fixture
def reconcile_dir(tmp_path: Path):
    """A copy of reconcile/ whose thresholds may be changed by the test."""

    def make(**thresholds: float) -> Path:
        folder = tmp_path / "reconcile"
        shutil.copytree(REPO_ROOT / "reconcile", folder, dirs_exist_ok=True)
        path = folder / "person_model.yaml"
        config = yaml.safe_load(path.read_text())
        config["thresholds"].update(thresholds)
        path.write_text(yaml.safe_dump(config))
        return folder

    return make


def land(project: Project, store: Store, source: str, records, occurred_at: datetime | None = None) -> None:
    """Write ``records`` of ``source`` into its landed table, as the lander does."""
    subject = PERSON_SUBJECTS_BY_SOURCE[source]
    topic = next(t for t in project.topics.values() if t.subject == subject)
    table = landed_table(store, topic, project.registry.get(subject))
    when = occurred_at or datetime.now(timezone.utc)
    rows = [{**event, "_agency": source, "_occurred_at": when, "_topic": topic.name} for event in event_records(source, records)]
    with store.begin() as connection:
        connection.execute(table.insert(), rows)


PERSON_SUBJECTS_BY_SOURCE = {source: subject for subject, source in PERSON_SUBJECTS.items()}
