"""Per-record enforcement: a contract's one-event rules compiled once into a cheap callable.

Patterns are compiled, value sets frozen and bounds bound when the contract is loaded; an event
that keeps every rule costs one generated function call. Only a breaking event pays for finding
which rule it broke. The same check runs at publish (``Publisher(checks=...)``) and at consume
(``ConsumeGate``).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from govbus.contracts.compiled import compile_enforcer, rule_test
from govbus.contracts.guaranteed import guaranteed_by
from govbus.contracts.model import Action, Bounds, Contract, FieldRule, Status
from govbus.errors import ContractViolation
from govbus.schemas.registry import SchemaRegistry
from govbus.schemas.version import SchemaVersion

ENFORCED = frozenset({Status.active, Status.deprecated})
RecordCheck = Callable[[dict[str, Any]], None]


def describe(rule: FieldRule) -> str:
    """The rule as a steward reads it: ``regex ^\\d{5}$``, ``range 0..1000``, ``values F, M, X``."""
    if rule.kind == "regex":
        return f"regex {rule.regex}"
    if rule.kind == "values":
        return "values " + ", ".join(str(v) for v in rule.values)
    if rule.kind in {"range", "length"}:
        return f"{rule.kind} {bounds_text(rule.setting)}"
    return rule.kind


def bounds_text(bounds: Bounds) -> str:
    """``1..200``, ``0..`` or ``..10``: an open side is left blank."""
    return "..".join(_number(value) for value in (bounds.min, bounds.max))


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class RecordRule:
    """One compiled rule on one field, with everything a violation must name."""

    __slots__ = ("field", "rule", "action", "test", "contract", "agreement", "clause", "clause_text", "topic")

    def __init__(self, contract: Contract, field: str, rule: FieldRule) -> None:
        self.field = field
        self.rule = rule
        self.action = contract.action_for(rule)
        self.test = rule_test(rule)
        self.contract = contract.id
        self.agreement = contract.agreement.ref
        self.clause = rule.clause
        self.clause_text = contract.agreement.clauses.get(rule.clause, "")
        self.topic = contract.dataset.topic

    def violation(self, value: Any) -> ContractViolation:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        return ContractViolation(
            f"{self.topic}: field {self.field!r} value {shown} breaks {describe(self.rule)} "
            f"({self.agreement} clause {self.clause}: {self.clause_text})",
            contract=self.contract,
            agreement=self.agreement,
            clause=self.clause,
            rule=self.rule.kind,
            field=self.field,
            value=value,
            action=self.action.value,
        )


class ContractCheck:
    """All of one contract's per-record rules; ``enforce(record)`` raises ``ContractViolation``.

    ``enforce`` is a plain generated function, so the publisher's call costs no method dispatch;
    only a breaking record reaches ``_raise_breach``, which tries every rule so the strictest
    action wins: a record that breaks a rejecting rule is rejected even when an earlier rule
    would only have quarantined it.
    """

    def __init__(self, contract: Contract, schema_versions: Iterable[SchemaVersion] = ()) -> None:
        """With the subject's ``schema_versions``, rules they already guarantee are not checked."""
        self.contract = contract
        versions = list(schema_versions)
        per_record = [
            (field, rule)
            for field, rule in contract.field_rules()
            if rule.per_record and not guaranteed_by(versions, field, rule)
        ]
        self.rules = [RecordRule(contract, field, rule) for field, rule in per_record]
        self._tests = tuple((r.field, r.test, r) for r in self.rules)
        self.enforce = compile_enforcer(per_record, self._raise_breach)

    @classmethod
    def on_schemas(cls, contract: Contract, registry: SchemaRegistry) -> "ContractCheck":
        """The check as the bus runs it: less what the subject's schema versions guarantee."""
        subject = registry.subjects.get(contract.dataset.subject)
        return cls(contract, subject.versions.values() if subject else ())

    def __call__(self, record: dict[str, Any]) -> None:
        self.enforce(record)

    def _raise_breach(self, record: dict[str, Any]) -> None:
        held = None
        for field, test, rule in self._tests:
            value = record.get(field)
            if not test(value):
                if rule.action is Action.reject:
                    raise rule.violation(value)
                if held is None:
                    held = rule.violation(value)
        if held is not None:
            raise held

    def breach(self, record: dict[str, Any]) -> ContractViolation | None:
        """The violation this record would raise, as data (``None`` when it keeps every rule)."""
        return breach_of([self.enforce], record)


def record_checks(contracts: Iterable[Contract], registry: SchemaRegistry | None = None) -> dict[str, list[RecordCheck]]:
    """Each topic's ``enforce`` functions, from the contracts in force (active or deprecated);
    with the ``registry``, less what each subject's schema already guarantees."""
    checks: dict[str, list[RecordCheck]] = {}
    for contract in contracts:
        if contract.status in ENFORCED:
            check = ContractCheck.on_schemas(contract, registry) if registry else ContractCheck(contract)
            if check.rules:
                checks.setdefault(contract.dataset.topic, []).append(check.enforce)
    return checks


def breach_of(checks: list[RecordCheck], record: dict[str, Any]) -> ContractViolation | None:
    """The first breach any of ``checks`` finds, as data; ``None`` when the record keeps them all."""
    for check in checks:
        try:
            check(record)
        except ContractViolation as exc:
            return exc
    return None
