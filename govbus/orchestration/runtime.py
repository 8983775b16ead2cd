"""The project and store a DAG task works on, from the environment the local stack gives Airflow."""

from __future__ import annotations

from govbus.project import Project, load_project
from govbus.settings import ProjectSettings
from govbus.store import Store


def project_and_store() -> tuple[Project, Store]:
    """``GOVBUS_PROJECT`` (default: the working folder) and its store (``GOVBUS_STORE_URL``)."""
    project = load_project(ProjectSettings().project)
    return project, Store.for_project(project)
