"""Per-batch enforcement: a contract compiled into a GX Core ExpectationSuite.

Every expectation carries the agreement, clause, field, rule and action in its ``meta``, so
results can be read back in the agreement's terms without a second lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe

from govbus.contracts.model import Action, Contract, FieldRule
from govbus.contracts.rules import bounds_text, describe
from govbus.project import duration_ms


@dataclass(frozen=True)
class Planned:
    """One expectation with what it enforces."""

    expectation: gxe.Expectation
    clause: str
    field: str | None
    rule: str
    action: Action
    detail: str


def _field_expectation(column: str, rule: FieldRule) -> gxe.Expectation:
    mostly = {"mostly": rule.mostly}
    if rule.kind == "not_null":
        return gxe.ExpectColumnValuesToNotBeNull(column=column, **mostly)
    if rule.kind == "regex":
        return gxe.ExpectColumnValuesToMatchRegex(column=column, regex=rule.regex, **mostly)
    if rule.kind == "values":
        return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(rule.values), **mostly)
    if rule.kind == "range":
        return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=rule.range.min, max_value=rule.range.max, **mostly)
    if rule.kind == "length":
        return gxe.ExpectColumnValueLengthsToBeBetween(
            column=column, min_value=_int(rule.length.min), max_value=_int(rule.length.max), **mostly
        )
    if rule.kind == "unique":
        return gxe.ExpectColumnValuesToBeUnique(column=column, **mostly)
    if rule.kind == "completeness":
        return gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=rule.completeness)
    shares = rule.distribution.shares
    if shares is not None:
        partition = {"values": list(shares), "weights": list(shares.values())}
        return gxe.ExpectColumnKLDivergenceToBeLessThan(
            column=column, partition_object=partition, threshold=rule.distribution.max_divergence
        )
    band = rule.distribution.mean
    return gxe.ExpectColumnMeanToBeBetween(column=column, min_value=band.min, max_value=band.max)


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _distribution_detail(rule: FieldRule) -> str:
    if rule.distribution.shares is not None:
        shares = ", ".join(f"{k} {v:.0%}" for k, v in rule.distribution.shares.items())
        return f"distribution {shares} (divergence < {rule.distribution.max_divergence:g})"
    return f"mean {bounds_text(rule.distribution.mean)}"


def plan(contract: Contract, now: datetime | None = None, *, naive_timestamps: bool = False) -> list[Planned]:
    """Every expectation the contract asks of a batch: field rules, service levels, batch rules.

    ``now`` anchors freshness; ``naive_timestamps`` drops the zone for stores (SQLite) that keep none.
    """
    planned = []
    for column, rule in contract.field_rules():
        detail = _distribution_detail(rule) if rule.kind == "distribution" else describe(rule)
        if rule.kind == "completeness":
            detail = f"at least {rule.completeness:.1%} filled"
        expectation = _field_expectation(column, rule)
        planned.append(Planned(expectation, rule.clause, column, rule.kind, contract.action_for(rule), detail))
    levels = contract.agreement.service_levels
    if levels.completeness:
        for column in levels.completeness.fields:
            expectation = gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=levels.completeness.at_least)
            detail = f"at least {levels.completeness.at_least:.1%} filled"
            planned.append(Planned(expectation, levels.completeness.clause, column, "completeness", contract.on_violation, detail))
    if levels.freshness:
        now = now or datetime.now(timezone.utc)
        oldest = now - timedelta(milliseconds=duration_ms(levels.freshness.within))
        if naive_timestamps:
            oldest = oldest.astimezone(timezone.utc).replace(tzinfo=None)
        expectation = gxe.ExpectColumnMaxToBeBetween(column=levels.freshness.column, min_value=oldest)
        detail = f"newest event within {levels.freshness.within}"
        planned.append(Planned(expectation, levels.freshness.clause, levels.freshness.column, "freshness", contract.on_violation, detail))
    for rule in contract.quality:
        bounds = rule.row_count
        expectation = gxe.ExpectTableRowCountToBeBetween(min_value=_int(bounds.min), max_value=_int(bounds.max))
        detail = f"row count {bounds_text(bounds)}"
        planned.append(Planned(expectation, rule.clause, None, "row_count", contract.on_violation, detail))
    return planned


def build_suite(contract: Contract, planned: list[Planned]) -> gx.ExpectationSuite:
    """The suite named after the contract; each expectation's meta says what it enforces.

    Two clauses may ask for the same check (a not-null rule and a completeness of 100%); GX keeps
    one expectation, so the second clause rides along in ``meta["also"]`` and gets its own result.
    """
    suite = gx.ExpectationSuite(name=contract.id, meta={"agreement": contract.agreement.ref, "contract": contract.id})
    kept: dict[tuple, dict[str, Any]] = {}
    for index, item in enumerate(planned):
        meta = _meta(contract, item, index)
        same = (item.expectation.expectation_type, repr(sorted(item.expectation.configuration.kwargs.items())))
        if same in kept:
            kept[same]["also"].append(meta)
            continue
        kept[same] = item.expectation.meta = {**meta, "also": []}
        suite.add_expectation(item.expectation)
    return suite


def _meta(contract: Contract, item: Planned, index: int) -> dict[str, Any]:
    return {
        "position": index,
        "agreement": contract.agreement.ref,
        "clause": item.clause,
        "field": item.field,
        "rule": item.rule,
        "action": item.action.value,
        "detail": item.detail,
    }
