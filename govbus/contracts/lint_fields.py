"""Lint one contract's fields and rules against its subject's newest schema version."""

from __future__ import annotations

import re
from typing import Iterator

from govbus.bus.headers import ENVELOPE_HEADERS
from govbus.contracts.field_types import FieldType, field_type
from govbus.contracts.loader import ContractFile, Problem
from govbus.contracts.model import Contract, FieldRule
from govbus.schemas.version import SchemaVersion

# Landed batches carry the event headers beside the record, so batch rules may name them.
ENVELOPE_COLUMNS = frozenset(ENVELOPE_HEADERS)


def lint_fields(contract_file: ContractFile, schema: SchemaVersion) -> Iterator[Problem]:
    contract = contract_file.contract
    types = {name: field_type(schema.field(name)) for name in schema.field_names}
    for name in schema.field_names:
        if name not in contract.fields:
            yield contract_file.problem(
                f"field {name!r} of {schema.subject} v{schema.version} has no classification in the contract", "fields"
            )
    for name, spec in contract.fields.items():
        where = ("fields", name)
        if name not in types:
            yield contract_file.problem(
                f"field {name!r} is not in {schema.subject} v{schema.version} (fields: {', '.join(schema.field_names)})",
                *where,
            )
            continue
        yield from _entitlements(contract_file, contract, name)
        for index, rule in enumerate(spec.rules):
            for message in _rule_fit(rule, types[name]):
                yield contract_file.problem(f"field {name!r} rule {rule.kind}: {message}", *where, "rules", index, rule.kind)
            if rule.clause not in contract.agreement.clauses:
                yield _unknown_clause(contract_file, rule.clause, *where, "rules", index, "clause")
    yield from _service_level_columns(contract_file, types)


def _entitlements(contract_file: ContractFile, contract: Contract, name: str) -> Iterator[Problem]:
    spec = contract.fields[name]
    where = ("fields", name, "consumers")
    if spec.classification.restricted and not spec.consumers:
        yield contract_file.problem(
            f"{spec.classification.value} field {name!r} names no consumer that may receive it", "fields", name
        )
    if not spec.classification.restricted and spec.consumers:
        yield contract_file.problem(
            f"field {name!r} is {spec.classification.value}: every consumer receives it, so its consumer list means nothing",
            *where,
            level="warning",
        )
    for consumer in spec.consumers:
        if consumer not in contract.consumers:
            yield contract_file.problem(
                f"field {name!r} is given to {consumer!r}, which is not a consumer of this contract", *where
            )


def _rule_fit(rule: FieldRule, kind: FieldType) -> Iterator[str]:
    """Why ``rule`` cannot apply to a field of type ``kind``, if it cannot."""
    if rule.kind in {"regex", "length"} and kind.kind != "string":
        yield f"needs a string field, but the field is {kind}"
    if rule.kind == "regex":
        try:
            re.compile(rule.regex)
        except re.error as exc:
            yield f"the pattern does not compile: {exc}"
    if rule.kind == "values":
        if not (kind.textual or kind.kind in {"int", "long"}):
            yield f"needs a string, enum or integer field, but the field is {kind}"
        unknown = [v for v in rule.values if kind.symbols and v not in kind.symbols]
        if unknown:
            yield f"values {unknown} are not symbols of the enum ({', '.join(kind.symbols)})"
    if rule.kind == "range" and not kind.numeric:
        yield f"needs a numeric field, but the field is {kind}"
    if rule.kind in {"range", "length"}:
        bounds = rule.setting
        if bounds.min is None and bounds.max is None:
            yield "give a min, a max or both"
        elif bounds.min is not None and bounds.max is not None and bounds.min > bounds.max:
            yield f"min {bounds.min} is above max {bounds.max}"
    if rule.kind == "distribution":
        if rule.distribution.shares is not None and not kind.textual:
            yield f"shares need a string or enum field, but the field is {kind}"
        if rule.distribution.mean is not None and not kind.numeric:
            yield f"a mean needs a numeric field, but the field is {kind}"
        if rule.distribution.shares is not None and abs(sum(rule.distribution.shares.values()) - 1) > 0.001:
            yield f"shares add up to {sum(rule.distribution.shares.values()):g}, not 1"


def _service_level_columns(contract_file: ContractFile, types: dict[str, FieldType]) -> Iterator[Problem]:
    levels = contract_file.contract.agreement.service_levels
    clauses = contract_file.contract.agreement.clauses
    where = ("agreement", "service_levels")
    for name, level in (("freshness", levels.freshness), ("completeness", levels.completeness), ("availability", levels.availability)):
        if level is not None and level.clause not in clauses:
            yield _unknown_clause(contract_file, level.clause, *where, name, "clause")
    if levels.freshness and levels.freshness.column not in types and levels.freshness.column not in ENVELOPE_COLUMNS:
        yield contract_file.problem(
            f"freshness column {levels.freshness.column!r} is neither a schema field nor an event header "
            f"({', '.join(sorted(ENVELOPE_COLUMNS))})",
            *where,
            "freshness",
            "column",
        )
    for index, name in enumerate(levels.completeness.fields if levels.completeness else []):
        if name not in types:
            yield contract_file.problem(f"completeness names field {name!r}, which is not in the schema", *where, "completeness", "fields", index)


def _unknown_clause(contract_file: ContractFile, clause: str, *where: str | int) -> Problem:
    known = ", ".join(contract_file.contract.agreement.clauses)
    return contract_file.problem(f"clause {clause!r} is not in agreement {contract_file.contract.agreement.ref} (clauses: {known})", *where)
