"""The steward's view: each agreement, each clause, how the latest batch did and the trend.

Built from the contracts and the recent validation history only, so its size depends on the
number of clauses, never on how many validations the store holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from govbus.contracts.availability import MeasuredAvailability
from govbus.contracts.model import Contract
from govbus.contracts.results import ClauseResult, Status, ValidationRun, worst

# Runs shown in a clause's trend, and rows in its collapsible history.
TREND_RUNS = 30
HISTORY_ROWS = 10


@dataclass(frozen=True)
class ClausePoint:
    """One past validation of one clause."""

    run_id: str
    started_at: datetime
    batch: str
    status: Status
    failing_count: int
    failing_percent: float
    sample_values: tuple[str, ...]
    data_docs: str | None


@dataclass
class ClauseView:
    clause: str
    text: str
    service_level: str | None
    target: str | None
    history: list[ClausePoint] = field(default_factory=list)
    latest: ClauseResult | None = None

    @property
    def status(self) -> Status | None:
        return self.latest.status if self.latest else None


@dataclass
class AgreementView:
    contract: Contract
    total_runs: int
    clauses: list[ClauseView]
    latest_run: ValidationRun | None
    availability: MeasuredAvailability | None = None

    @property
    def ref(self) -> str:
        return self.contract.agreement.ref

    @property
    def status(self) -> Status | None:
        seen = [c.status for c in self.clauses if c.status is not None]
        return worst(seen) if seen else None

    def service_level(self, name: str) -> ClauseView | None:
        return next((c for c in self.clauses if c.service_level == name), None)


def _service_levels(contract: Contract) -> dict[str, tuple[str, str]]:
    """Clause -> (service level, target as the agreement states it)."""
    levels = contract.agreement.service_levels
    found = {}
    if levels.freshness:
        found[levels.freshness.clause] = ("freshness", f"within {levels.freshness.within}")
    if levels.completeness:
        found[levels.completeness.clause] = ("completeness", f"at least {levels.completeness.at_least:.1%}")
    if levels.availability:
        found[levels.availability.clause] = ("availability", f"at least {levels.availability.at_least:.1%}")
    return found


def agreement_views(
    contracts: Iterable[Contract],
    runs: list[ValidationRun],
    totals: dict[str, int],
    availability: dict[str, MeasuredAvailability] | None = None,
) -> list[AgreementView]:
    """One view per contract, worst first, its clauses in the agreement's order; ``runs`` are newest first."""
    views = []
    for contract in contracts:
        own = [run for run in runs if run.contract == contract.id][:TREND_RUNS]
        for run in own:
            run.clause_texts = dict(contract.agreement.clauses)
        levels = _service_levels(contract)
        clauses = []
        for clause, text in contract.agreement.clauses.items():
            level, target = levels.get(clause, (None, None))
            view = ClauseView(clause, text, level, target)
            for run in own:
                result = next((c for c in run.clauses() if c.clause == clause), None)
                if result is None:
                    continue
                view.latest = view.latest or result
                view.history.append(_point(run, result))
            clauses.append(view)
        measured = (availability or {}).get(contract.id)
        views.append(AgreementView(contract, totals.get(contract.id, 0), clauses, own[0] if own else None, measured))
    # What needs a steward comes first; agreements never validated come last.
    return sorted(views, key=lambda v: (-(v.status.severity if v.status else -1), v.ref))


def _point(run: ValidationRun, result: ClauseResult) -> ClausePoint:
    elements = max((r.element_count or 0 for r in result.rules), default=0) or run.row_count or 0
    percent = 100.0 * result.failing_count / elements if elements else (0.0 if result.status is Status.passed else 100.0)
    return ClausePoint(
        run.run_id,
        run.started_at,
        run.batch,
        result.status,
        result.failing_count,
        min(percent, 100.0),
        tuple(result.sample_values),
        run.data_docs,
    )
