"""What scans, plans and retirements return: typed results that render as reports and as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


@dataclass
class HoldingReport:
    """One holding's measurement: its redundancy against the golden records at ``measured_at``."""

    holding: str
    agency: str
    database: str  # masked URL
    table: str
    measured_at: datetime
    present: bool
    state: str  # table, view (already retired) or absent
    rows: int = 0
    covered_rows: int = 0
    compared_values: int = 0
    agreeing_values: int = 0
    timed_values: int = 0
    stale_values: int = 0
    last_access: datetime | None = None
    last_access_note: str = ""
    per_column: dict[str, dict[str, int]] = field(default_factory=dict)
    unmapped_values: dict[str, int] = field(default_factory=dict)
    uncovered_samples: list[dict] = field(default_factory=list)
    disagreement_samples: list[dict] = field(default_factory=list)
    measurement_id: int | None = None

    @property
    def coverage(self) -> float | None:
        return _share(self.covered_rows, self.rows)

    @property
    def agreement(self) -> float | None:
        return _share(self.agreeing_values, self.compared_values)

    @property
    def staleness(self) -> float | None:
        return _share(self.stale_values, self.timed_values)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "measured_at": self.measured_at.isoformat(),
                "last_access": self.last_access and self.last_access.isoformat(),
                "coverage": self.coverage, "agreement": self.agreement, "staleness": self.staleness}


@dataclass
class ScanResult:
    holdings: list[HoldingReport] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"holdings": [h.to_dict() for h in self.holdings]}


@dataclass
class RetirementPlan:
    """What retiring one holding would do, and what it would risk. ``status`` is where it stands."""

    plan_id: str
    holding: str
    status: str  # proposed, not_candidate, blocked, approved, retired, restored
    created_at: datetime
    measurement_id: int
    document: dict[str, Any]
    approval: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "created_at": self.created_at.isoformat()}


@dataclass
class PlanResult:
    plans: list[RetirementPlan] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"plans": [p.to_dict() for p in self.plans]}


@dataclass
class RetirementOutcome:
    """One plan's retirement: the steps done in this run and where it ended."""

    plan_id: str
    holding: str
    executed: bool  # False for a dry run
    steps_done: list[str] = field(default_factory=list)
    step: str = ""
    manifest: dict[str, Any] | None = None
    would_do: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ExecutionResult:
    """``execute_approved``: what was retired, and why each other plan was left alone."""

    retired: list[RetirementOutcome] = field(default_factory=list)
    waiting_for_approval: list[str] = field(default_factory=list)
    blocked: dict[str, str] = field(default_factory=dict)  # plan id -> why

    def to_dict(self) -> dict[str, Any]:
        return {"retired": [r.to_dict() for r in self.retired], "waiting_for_approval": self.waiting_for_approval,
                "blocked": self.blocked}
