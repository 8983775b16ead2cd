"""Whether a contract's breaches have passed the tolerance its agreement sets.

The tolerance is the agreement's own number: the share of deliveries it allows to fall short of
its completeness service level (``1 - at_least``; AGR-2026-014 allows 0.5%). An agreement with no
completeness level tolerates no failing record. Only failed rules count (a warning is not a breach),
and a run's failing records are those of its worst failed rule, a floor on the true number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from govbus.contracts.model import Contract
from govbus.contracts.results import Status, ValidationRun


@dataclass(frozen=True)
class BreachTally:
    contract: Contract
    runs: tuple[ValidationRun, ...]
    failed_runs: tuple[ValidationRun, ...]
    rows: int
    failing_rows: int

    @property
    def tolerance(self) -> float:
        completeness = self.contract.agreement.service_levels.completeness
        return round(1 - completeness.at_least, 6) if completeness else 0.0

    @property
    def share(self) -> float:
        return self.failing_rows / self.rows if self.rows else 0.0

    def passes_threshold(self, min_failed_runs: int = 1) -> bool:
        return len(self.failed_runs) >= min_failed_runs and self.share > self.tolerance

    @property
    def breached_clauses(self) -> list[str]:
        return sorted({rule.clause for run in self.failed_runs for rule in run.rules if rule.status is Status.failed})


def tally(contract: Contract, runs: list[ValidationRun], since: datetime, evidenced: set[str]) -> BreachTally:
    """Count the contract's runs since ``since`` that no dispute has used as evidence yet."""
    mine = tuple(
        run for run in runs if run.contract == contract.id and run.started_at >= since and run.run_id not in evidenced
    )
    failed = tuple(run for run in mine if run.status in (Status.failed, Status.error))
    failing = sum(_failing_rows(run) for run in failed)
    return BreachTally(contract, mine, failed, sum(run.row_count or 0 for run in mine), failing)


def _failing_rows(run: ValidationRun) -> int:
    return max((rule.failing_count or 0 for rule in run.rules if rule.status is Status.failed), default=0)
