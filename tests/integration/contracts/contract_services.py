"""Helpers for contract tests against services: the demo project with topics of a test's own."""

from __future__ import annotations

import shutil
from pathlib import Path

from govbus.project import Project, load_project

REPO = Path(__file__).resolve().parents[3]


def copy_project(target: Path, rename: dict[str, str] | None = None) -> Project:
    """The demo project in ``target``; ``rename`` maps topics to new names in govbus.yaml and contracts."""
    shutil.copytree(REPO / "schemas", target / "schemas")
    shutil.copytree(REPO / "contracts", target / "contracts")
    shutil.copy(REPO / "govbus.yaml", target / "govbus.yaml")
    for old, new in (rename or {}).items():
        for path in [target / "govbus.yaml", *(target / "contracts").glob("*.yaml")]:
            text = path.read_text()
            path.write_text(text.replace(f"  {old}:\n    subject:", f"  {new}:\n    subject:").replace(f"  topic: {old}\n", f"  topic: {new}\n"))
    return load_project(target)
