"""Write the agreement report from the contracts and the store's recent validation history."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from govbus.contracts.availability import measured_availability
from govbus.contracts.history import recent_runs, run_totals
from govbus.contracts.loader import contracts_in
from govbus.project import Project
from govbus.reports.agreements import TREND_RUNS, agreement_views
from govbus.reports.html import render
from govbus.reports.paths import report_path
from govbus.store import Store


def build_agreement_report(project: Project, store: Store, *, now: datetime | None = None) -> Path:
    """Render ``.govbus/reports/agreements.html``; returns its path."""
    measured = measured_availability(project, store, now=now)
    views = agreement_views(contracts_in(project.contracts_dir), recent_runs(store, TREND_RUNS), run_totals(store), measured)
    path = report_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(views, now or datetime.now(timezone.utc), project.name), encoding="utf-8")
    return path
