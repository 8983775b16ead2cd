"""A record validator compiled once per schema version.

Most event schemas are flat records of primitives, enums and nullable primitives; for those a
precompiled field table checks a record several times faster than walking the schema on each
call. Anything richer (nested records, arrays, maps, fixed) falls back to fastavro's validator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

INT_RANGE = (-(2**31), 2**31 - 1)
LONG_RANGE = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class FieldRule:
    name: str
    expected: str
    accepts: Callable[[Any], bool]
    required: bool


def _primitive(kind: str) -> Callable[[Any], bool] | None:
    if kind == "string":
        return lambda v: type(v) is str
    if kind == "boolean":
        return lambda v: type(v) is bool
    if kind in ("int", "long"):
        low, high = INT_RANGE if kind == "int" else LONG_RANGE
        return lambda v: type(v) is int and low <= v <= high
    if kind in ("float", "double"):
        return lambda v: type(v) in (int, float)
    if kind == "bytes":
        return lambda v: type(v) is bytes
    if kind == "null":
        return lambda v: v is None
    return None


def _branch(schema: Any) -> tuple[str, Callable[[Any], bool]] | None:
    """How to accept one (non-union) type, with its name for messages; None if not flat."""
    if isinstance(schema, str):
        accepts = _primitive(schema)
        return (schema, accepts) if accepts else None
    if isinstance(schema, dict) and schema.get("type") == "enum":
        symbols = frozenset(schema["symbols"])
        return "one of " + ", ".join(schema["symbols"]), lambda v: type(v) is str and v in symbols
    if isinstance(schema, dict) and "logicalType" not in schema and isinstance(schema.get("type"), str):
        return _branch(schema["type"])
    return None


def compile_rules(definition: Any) -> list[FieldRule] | None:
    """Field rules for a flat record schema, or None when the schema needs the general validator."""
    if not isinstance(definition, dict) or definition.get("type") != "record":
        return None
    rules = []
    for field in definition["fields"]:
        branches = field["type"] if isinstance(field["type"], list) else [field["type"]]
        compiled = [_branch(b) for b in branches]
        if any(c is None for c in compiled):
            return None
        names = [name for name, _ in compiled]
        checks = [accepts for _, accepts in compiled]
        accepts = checks[0] if len(checks) == 1 else (lambda v, checks=checks: any(c(v) for c in checks))
        required = "null" not in branches and "default" not in field
        rules.append(FieldRule(field["name"], " or ".join(names), accepts, required))
    return rules
