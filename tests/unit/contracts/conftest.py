"""A copy of the demo project per test, so a test may break a contract without touching the repo."""

from __future__ import annotations

from pathlib import Path

import pytest
from contract_files import copy_project

from govbus.project import Project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return copy_project(tmp_path)
