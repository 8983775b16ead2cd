"""Rule tests compiled to Python once per contract, so a record that keeps every rule costs little.

Each rule kind is written once, as an expression that is true when a present value breaks it.
From those expressions come both a predicate per rule (to name the rule a record broke) and one
generated function over the whole record (the fast path every event takes). Constants such as
compiled patterns, frozen value sets and bounds are bound as names, never pasted into the source.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from govbus.codegen import generated
from govbus.contracts.model import FieldRule

KNOWN_GOOD = 65_536


def _breaks(rule: FieldRule, name: str, constants: dict[str, Any]) -> str:
    """An expression true when a non-null ``v`` breaks ``rule``; its constants go in under ``name``."""
    if rule.kind == "regex":
        # search, as GX's regex expectation does; contracts anchor their patterns with ^ and $.
        # A pattern's verdict on a value never changes, and postcodes and birth dates repeat a
        # lot, so values once seen to match skip the pattern (up to KNOWN_GOOD of them).
        constants[name] = _matcher(rule.regex)
        constants[f"{name}_good"] = set()
        return f"v not in {name}_good and ({name}(v) is None or (len({name}_good) < {KNOWN_GOOD} and {name}_good.add(v)))"
    if rule.kind == "values":
        constants[name] = frozenset(rule.values)
        return f"v not in {name}"
    measured = "len(v)" if rule.kind == "length" else "v"
    low, high = _whole(rule.setting.min), _whole(rule.setting.max)
    constants.update({f"{name}_min": low, f"{name}_max": high})
    if low is not None and high is not None:
        # One chained comparison measures the value once.
        return f"not ({name}_min <= {measured} <= {name}_max)"
    if low is not None:
        return f"{measured} < {name}_min"
    if high is not None:
        return f"{measured} > {name}_max"
    return "False"


def _matcher(regex: str) -> Callable[[str], re.Match | None]:
    """``search`` for ``regex``, as ``match`` where the two agree: a pattern that as a whole starts
    with ``^`` (not ``^a|b``, not multi-line) can only match at the start, and ``match`` does not
    try the rest. The parse comes from the ``re`` module's own parser, the one that compiles it."""
    parsed = re._parser.parse(regex)
    anchored = parsed.data[:1] == [(re._constants.AT, re._constants.AT_BEGINNING)] and not parsed.state.flags & re.MULTILINE
    pattern = re.compile(regex)
    return pattern.match if anchored else pattern.search


def _whole(bound: float | None) -> float | int | None:
    """A whole-number bound as an int: comparing an int with an int is quicker than with a float."""
    return int(bound) if isinstance(bound, float) and bound.is_integer() else bound


def rule_test(rule: FieldRule) -> Callable[[Any], bool]:
    """A predicate that is true when the value keeps ``rule``; a missing value is only not_null's business."""
    if rule.kind == "not_null":
        return _present
    constants: dict[str, Any] = {}
    return eval(f"lambda v: v is None or not ({_breaks(rule, '_rule', constants)})", constants)  # noqa: S307


def _present(value: Any) -> bool:
    return value is not None


def compile_enforcer(field_rules: list[tuple[str, FieldRule]], on_breach: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    """One function over a whole record: silent when every rule is kept, else ``on_breach(record)``.

    Each field is read once and the rules' tests run inline, so a good record costs one call.
    """
    by_field: dict[str, list[FieldRule]] = {}
    for field, rule in field_rules:
        by_field.setdefault(field, []).append(rule)
    constants: dict[str, Any] = {"_on_breach": on_breach}
    lines = ["get = record.get"]
    for number, (field, rules) in enumerate(by_field.items()):
        lines.append(f"v = get({field!r})")
        required = any(rule.kind == "not_null" for rule in rules)
        if required:
            lines.append("if v is None: return _on_breach(record)")
        broken = [f"({_breaks(rule, f'_f{number}_{index}', constants)})" for index, rule in enumerate(rules) if rule.kind != "not_null"]
        if broken:
            guard = "" if required else "v is not None and "
            lines.append(f"if {guard}({' or '.join(broken)}): return _on_breach(record)")
    return generated("enforce", "record", lines, constants)
