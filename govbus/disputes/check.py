"""Opening disputes: one per contract whose recent breaches passed its agreement's tolerance.

Each run serves as evidence once: after a dispute is opened its runs no longer count, and while
a dispute on an agreement is open no second one is opened for it. Safe to run on a schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from govbus.contracts.history import recent_runs
from govbus.contracts.loader import contracts_in
from govbus.disputes.breaches import tally
from govbus.disputes.records import OPEN, disputes, open_dispute
from govbus.project import Project
from govbus.store import Store

# Enough runs per contract to cover a month of daily deliveries several times over.
RUNS_PER_CONTRACT = 200


@dataclass(frozen=True)
class DisputeCheck:
    """The outcome for one contract: opened, already_open, within_tolerance or no_runs."""

    contract: str
    agreement: str
    outcome: str
    runs: int
    failed_runs: int
    breach_share: float
    tolerance: float
    dispute: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def check_disputes(
    project: Project, store: Store, *, window_days: int = 30, min_failed_runs: int = 1, now: datetime | None = None
) -> list[DisputeCheck]:
    """Tally each contract's runs of the last ``window_days`` and open the disputes they call for."""
    now = now or datetime.now(timezone.utc)
    runs = recent_runs(store, per_contract=RUNS_PER_CONTRACT)
    known = disputes(store)
    evidenced = {run["run_id"] for d in known for run in d.evidence.get("validation_runs", [])}
    open_by_agreement = {d.agreement_ref: d.code for d in known if d.status == OPEN}
    checks = []
    for contract in contracts_in(project.contracts_dir):
        counted = tally(contract, runs, now - timedelta(days=window_days), evidenced)
        outcome, code = "within_tolerance", None
        if not counted.runs:
            outcome = "no_runs"
        elif counted.passes_threshold(min_failed_runs):
            code = open_by_agreement.get(contract.agreement.ref)
            if code:
                outcome = "already_open"
            else:
                outcome, code = "opened", open_dispute(store, counted, now=now).code
                open_by_agreement[contract.agreement.ref] = code
        checks.append(
            DisputeCheck(
                contract.id, contract.agreement.ref, outcome, len(counted.runs), len(counted.failed_runs),
                round(counted.share, 6), counted.tolerance, code,
            )
        )
    return checks
