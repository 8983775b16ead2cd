"""Validation outcomes as data: one result per rule, grouped per agreement clause.

Reports, the CLI and the store all render from these; none of them reads GX objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


class Status(str, Enum):
    passed = "passed"
    warning = "warning"
    failed = "failed"
    error = "error"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {Status.passed: 0, Status.warning: 1, Status.failed: 2, Status.error: 3}


def worst(statuses: list[Status]) -> Status:
    return max(statuses, key=lambda s: s.severity, default=Status.passed)


@dataclass(frozen=True)
class RuleResult:
    """How a batch fared against one rule of one clause."""

    agreement: str
    clause: str
    field: str | None
    rule: str
    detail: str
    expectation: str
    status: Status
    element_count: int | None = None
    failing_count: int | None = None
    failing_percent: float | None = None
    observed: str | None = None
    sample_values: tuple[str, ...] = ()
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "status": self.status.value, "sample_values": list(self.sample_values)}


@dataclass(frozen=True)
class ClauseResult:
    """One agreement clause: the worst status of its rules, and what failed."""

    agreement: str
    clause: str
    text: str
    rules: tuple[RuleResult, ...]

    @property
    def status(self) -> Status:
        return worst([r.status for r in self.rules])

    @property
    def failing_count(self) -> int:
        return sum(r.failing_count or 0 for r in self.rules if r.status is not Status.passed)

    @property
    def sample_values(self) -> list[str]:
        return [v for r in self.rules if r.status is not Status.passed for v in r.sample_values][:10]


@dataclass
class ValidationRun:
    """One validation of one landed batch against one contract."""

    run_id: str
    contract: str
    contract_version: str
    agreement: str
    topic: str
    batch: str
    started_at: datetime
    seconds: float
    row_count: int | None
    rules: list[RuleResult]
    clause_texts: dict[str, str] = field(default_factory=dict)
    data_docs: str | None = None

    @property
    def status(self) -> Status:
        return worst([r.status for r in self.rules])

    def clauses(self) -> list[ClauseResult]:
        """Results grouped by clause, in the agreement's clause order."""
        grouped: dict[str, list[RuleResult]] = {}
        for result in self.rules:
            grouped.setdefault(result.clause, []).append(result)
        order = list(self.clause_texts)
        ordered = sorted(grouped, key=lambda c: order.index(c) if c in order else len(order))
        return [ClauseResult(self.agreement, c, self.clause_texts.get(c, ""), tuple(grouped[c])) for c in ordered]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "contract": self.contract,
            "contract_version": self.contract_version,
            "agreement": self.agreement,
            "topic": self.topic,
            "batch": self.batch,
            "started_at": self.started_at.isoformat(),
            "seconds": round(self.seconds, 3),
            "row_count": self.row_count,
            "status": self.status.value,
            "data_docs": self.data_docs,
            "clauses": [
                {"clause": c.clause, "text": c.text, "status": c.status.value, "failing_count": c.failing_count, "sample_values": c.sample_values}
                for c in self.clauses()
            ],
            "rules": [r.to_dict() for r in self.rules],
        }
