"""The scenario's summary: what the bus, the registry, the holdings and the contracts made of it.

Counts of events come from the agencies' receipts; everything else is read back from the store
the DAGs wrote, so the summary shows what the stack did, not what the scenario hoped for.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import func, inspect, select

from govbus.contracts.history import recent_runs, run_totals
from govbus.contracts.loader import contracts_in
from govbus.project import Project
from govbus.registry.review import review_pairs
from govbus.registry.tables import person, person_xref
from govbus.reports.agreements import TREND_RUNS, agreement_views
from govbus.reports.paths import data_docs_dir, report_path
from govbus.scenario.deliver import Tally
from govbus.scenario.faults import FATES
from govbus.store import Store

AWAITING = "awaiting data"


@dataclass
class ScenarioSummary:
    size: str
    people: int
    events: dict[str, int]
    deliveries: list[dict]
    persons_reconciled: int
    records_linked: int
    pairs_awaiting_review: int
    holdings: dict
    agreements: list[dict]
    agreement_report: str
    data_docs: str
    dag_runs: dict[str, str] = field(default_factory=dict)
    expected: dict = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def event_counts(tallies: list[Tally]) -> dict[str, int]:
    """Published, and each fate, over every delivery; they add up (``refused`` and ``failed`` included)."""
    counts = {"published": sum(t.published for t in tallies)}
    counts.update({fate: sum(getattr(t, fate) for t in tallies) for fate in FATES})
    counts["refused"] = sum(t.refused for t in tallies)
    counts["failed"] = sum(t.failed for t in tallies)
    return counts


def registry_counts(store: Store) -> dict[str, int]:
    """Golden records in force, agency records linked to them, and pairs waiting for a steward."""
    with store.begin() as connection:
        if not inspect(connection).has_table(person.name):
            return {"persons_reconciled": 0, "records_linked": 0, "pairs_awaiting_review": 0}
        persons = connection.execute(select(func.count()).select_from(person).where(person.c.retired_at.is_(None))).scalar()
        linked = connection.execute(select(func.count()).select_from(person_xref)).scalar()
    return {"persons_reconciled": persons, "records_linked": linked, "pairs_awaiting_review": len(review_pairs(store))}


def compliance(project: Project, store: Store) -> list[dict]:
    """Each contract's agreement and its latest standing, worst first (as the agreement report has it)."""
    views = agreement_views(contracts_in(project.contracts_dir), recent_runs(store, TREND_RUNS), run_totals(store))
    return [
        {
            "agreement": view.ref,
            "contract": view.contract.id,
            "provider": view.contract.provider,
            "status": view.status.value if view.status else AWAITING,
            "broken_clauses": [c.clause for c in view.clauses if c.status is not None and c.status.severity >= 2],
        }
        for view in views
    ]


def report_locations(project: Project) -> dict[str, str]:
    return {"agreement_report": str(report_path(project)), "data_docs": str(data_docs_dir(project) / "index.html")}
