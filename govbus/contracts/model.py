"""A data contract: one shared data product, the agreement behind it, and the rules it is held to.

The shape follows the Open Data Contract Standard v3 (id, version, status, fields with a
classification and quality rules, service levels, price) and adds what a partnership agreement
states: its reference, legal basis, outputs, costs, dispute resolution and clauses. Every rule
names the clause it enforces, so a breach can always be reported in the agreement's terms.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import Field, field_validator, model_validator

from govbus.contracts.agreement import Agreement
from govbus.contracts.strict import Strict
from govbus.project import duration_ms

RECORD_KINDS = ("not_null", "regex", "values", "range", "length")
BATCH_KINDS = ("unique", "completeness", "distribution")


class Classification(str, Enum):
    public = "public"
    internal = "internal"
    personal = "personal"
    sensitive = "sensitive"

    @property
    def restricted(self) -> bool:
        """Personal and sensitive fields go only to the consumers named on them."""
        return self in (Classification.personal, Classification.sensitive)


class Action(str, Enum):
    """What happens to a record that breaks a rule, from most to least lenient."""

    warn = "warn"
    quarantine = "quarantine"
    reject = "reject"


class Status(str, Enum):
    proposed = "proposed"
    draft = "draft"
    active = "active"
    deprecated = "deprecated"
    retired = "retired"


class Bounds(Strict):
    """Inclusive numeric bounds; either may be left open."""

    min: float | None = None
    max: float | None = None


class Distribution(Strict):
    """Expected shares of a categorical field, or a band for a numeric field's mean."""

    shares: dict[str, float] | None = None
    max_divergence: float = Field(default=0.1, gt=0)
    mean: Bounds | None = None


class FieldRule(Strict):
    """One rule on one field; exactly one kind key is set. ``mostly`` applies to batches."""

    not_null: bool | None = None
    regex: str | None = None
    values: list[str | int] | None = None
    range: Bounds | None = None
    length: Bounds | None = None
    unique: bool | None = None
    completeness: float | None = Field(default=None, gt=0, le=1)
    distribution: Distribution | None = None
    clause: str
    on_violation: Action | None = None
    mostly: float = Field(default=1.0, gt=0, le=1)

    @model_validator(mode="after")
    def _one_kind(self) -> "FieldRule":
        kinds = [k for k in (*RECORD_KINDS, *BATCH_KINDS) if getattr(self, k) is not None]
        if len(kinds) != 1:
            valid = ", ".join((*RECORD_KINDS, *BATCH_KINDS))
            raise ValueError(f"a rule names exactly one kind ({valid}); this one names {kinds or 'none'}")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in (*RECORD_KINDS, *BATCH_KINDS) if getattr(self, k) is not None)

    @property
    def per_record(self) -> bool:
        return self.kind in RECORD_KINDS

    @property
    def setting(self) -> Any:
        return getattr(self, self.kind)


class FieldSpec(Strict):
    classification: Classification
    description: str | None = None
    consumers: list[str] = Field(default_factory=list)
    rules: list[FieldRule] = Field(default_factory=list)

    @field_validator("consumers", "rules", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        # A key left empty in YAML (``rules:``) reads as null; it means none.
        return [] if value is None else value


class Dataset(Strict):
    topic: str
    subject: str
    compatibility: str = "BACKWARD"
    key: str


class BatchRule(Strict):
    """A rule on the whole batch rather than on one field."""

    row_count: Bounds
    clause: str


class Retention(Strict):
    bus: str
    consumer_copies: str | None = None
    clause: str | None = None

    @field_validator("bus", "consumer_copies")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            duration_ms(value)
        return value


class Contract(Strict):
    api_version: str = Field(default="v3.0.2", alias="apiVersion")
    kind: str = "DataContract"
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    status: Status
    description: str | None = None
    provider: str
    consumers: list[str]
    agreement: Agreement
    dataset: Dataset
    fields: dict[str, FieldSpec]
    quality: list[BatchRule] = Field(default_factory=list)
    retention: Retention
    on_violation: Action = Action.reject

    def action_for(self, rule: FieldRule) -> Action:
        return rule.on_violation or self.on_violation

    def field_rules(self) -> list[tuple[str, FieldRule]]:
        """Every field rule, in the order written."""
        return [(name, rule) for name, spec in self.fields.items() for rule in spec.rules]

    @property
    def may_quarantine(self) -> bool:
        return any(self.action_for(rule) is Action.quarantine for _, rule in self.field_rules() if rule.per_record)

    @property
    def holds_personal_data(self) -> bool:
        return any(spec.classification.restricted for spec in self.fields.values())
