"""The partnership agreement a contract enforces: purpose, legal basis, costs, service levels, clauses.

Every rule in a contract names one of ``clauses``, so breaches are reported in the agreement's terms.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator

from govbus.contracts.strict import Strict
from govbus.project import duration_ms


class Freshness(Strict):
    within: str
    column: str
    clause: str

    @field_validator("within")
    @classmethod
    def _duration(cls, value: str) -> str:
        duration_ms(value)
        return value


class Completeness(Strict):
    at_least: float = Field(gt=0, le=1)
    fields: list[str]
    clause: str


class Availability(Strict):
    at_least: float = Field(gt=0, le=1)
    clause: str


class ServiceLevels(Strict):
    freshness: Freshness | None = None
    completeness: Completeness | None = None
    availability: Availability | None = None


class Costs(Strict):
    amount: float = Field(default=0, ge=0)
    currency: str = "EUR"
    unit: str | None = None
    note: str | None = None


class Disputes(Strict):
    body: str
    contact: str
    escalate_within_working_days: int = Field(gt=0)
    clause: str


class Agreement(Strict):
    ref: str = Field(pattern=r"^AGR-\d{4}-\d{3}$")
    title: str
    purpose: str
    legal_basis: str
    outputs: list[str]
    costs: Costs
    service_levels: ServiceLevels = Field(default_factory=ServiceLevels)
    disputes: Disputes
    effective: date
    review: date
    published_for_transparency: bool = False
    clauses: dict[str, str]
