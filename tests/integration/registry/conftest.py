"""A small synthetic country landed into a store, as the landers would leave it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from govbus.project import Project, load_project
from govbus.registry.records import land_records
from govbus.synthetic.country import generate_country

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


# Landed as the lander leaves them, without a broker.
land = land_records
