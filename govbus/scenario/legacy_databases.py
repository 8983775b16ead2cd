"""The agencies' legacy databases: what their connectors read, and the copies sharing makes redundant.

- The Tax Agency's taxpayer roll and Norrvik's resident list are SQLite files under the project's
  state folder (``.govbus/scenario/legacy``); their connectors read them through the variables
  their definitions name (``TAX_DB_URL``, ``MUNICIPALITY_DB_URL``), which ``point_environment`` sets.
- The agencies' own copies of names and addresses (``govbus.synthetic.legacy``) are written where
  the holdings catalogue says each one lives: the database its ``url_env`` names, or else the
  store's own, since a replacement view can only read the registry from the same database.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from govbus.project import Project
from govbus.store import Store
from govbus.synthetic.legacy import legacy_tables

# Connector -> (the environment variable its url names, database file, table it reads).
CONNECTOR_DATABASES = {
    "tax-taxpayer-roll": ("TAX_DB_URL", "tax.db", "taxpayer"),
    "municipality-residents": ("MUNICIPALITY_DB_URL", "municipality.db", "municipality_resident"),
}


def legacy_folder(project: Project) -> Path:
    return project.state_dir / "scenario" / "legacy"


def point_environment(project: Project) -> dict[str, str]:
    """Point the connectors' variables at the legacy files, in this process; returns what was set."""
    folder = legacy_folder(project)
    values = {variable: f"sqlite:///{folder / file}" for variable, file, _ in CONNECTOR_DATABASES.values()}
    os.environ.update(values)
    return values


def write_legacy_databases(project: Project, store: Store, sources: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Replace the connectors' tables and the holdings with this country's; returns rows per table.

    The taxpayer roll's ``updated_at`` is now, so its incremental connector sends every row of a
    new run, as it would after a night's batch at the agency.
    """
    from govbus.holdings import load_catalogue

    legacy_folder(project).mkdir(parents=True, exist_ok=True)
    copies = legacy_tables(sources)
    read_by_connectors = {
        "taxpayer": sources["tax"].assign(updated_at=datetime.now(timezone.utc).isoformat()),
        "municipality_resident": copies["municipality_resident"],
    }
    targets = [(os.environ[variable], table, read_by_connectors[table]) for variable, _, table in CONNECTOR_DATABASES.values()]
    targets += [
        (holding.url(store), holding.table, copies[holding.table])
        for holding in load_catalogue(project).holdings.values()
        if holding.table in copies
    ]
    written = {}
    for url, table, frame in targets:
        with Store(url).begin() as connection:
            frame.to_sql(table, connection, if_exists="replace", index=False)
        written[f"{Store(url)} {table}"] = len(frame)
    return written
