"""Where steward reports are written: ``<project>/.govbus/reports``, Data Docs in a folder beside."""

from __future__ import annotations

from pathlib import Path

from govbus.project import Project

REPORT_FILE = "agreements.html"
DATA_DOCS = "data_docs"


def reports_dir(project: Project) -> Path:
    return project.state_dir / "reports"


def data_docs_dir(project: Project) -> Path:
    return reports_dir(project) / DATA_DOCS


def report_path(project: Project) -> Path:
    return reports_dir(project) / REPORT_FILE
