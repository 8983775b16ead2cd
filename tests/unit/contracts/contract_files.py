"""Helpers for contract tests: a copy of the demo project, and pointed edits of its files."""

from __future__ import annotations

import shutil
from pathlib import Path

from govbus.project import Project, load_project

REPO = Path(__file__).resolve().parents[3]


def copy_project(target: Path) -> Project:
    for name in ("schemas", "contracts"):
        shutil.copytree(REPO / name, target / name)
    shutil.copy(REPO / "govbus.yaml", target / "govbus.yaml")
    return load_project(target)


def edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` (which must occur once) and return the 1-based line the change starts on."""
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new))
    return text[: text.index(old)].count("\n") + 1


# A change-of-address notice that keeps every rule of AGR-2026-031.
NOTICE = {
    "notice_id": "N-000001",
    "full_name": "Anna Berg",
    "date_of_birth": "1980-01-02",
    "old_street": "Storgatan 1",
    "old_postcode": "11122",
    "street": "Kyrkvägen 7",
    "postcode": "22233",
    "city": "Norrvik",
    "effective_on": "2026-07-01",
}
