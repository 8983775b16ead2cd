"""Is a change to one rule a tightening (breaking for the provider) or a loosening?

Tightening means records that passed before may now fail: a narrower range, a changed pattern,
a smaller value set, a higher ``mostly``, a stricter action. Loosening never breaks anyone.
"""

from __future__ import annotations

from typing import Any, Iterator

from govbus.contracts.model import Action, Bounds, FieldRule

ACTION_ORDER = [Action.warn, Action.quarantine, Action.reject]
# Rules a new field may bring without breaking anyone: they let a missing value pass.
NULL_TOLERANT = frozenset({"regex", "values", "range", "length", "distribution"})


def tighter_bounds(old: Bounds, new: Bounds) -> list[str]:
    """How ``new`` excludes values that ``old`` allowed."""
    found = []
    for side, narrower in (("min", _greater), ("max", _less)):
        before, after = getattr(old, side), getattr(new, side)
        if after is None or before == after:
            continue
        if before is None or narrower(after, before):
            found.append(f"{side} {before} -> {after}")
    return found


def looser_bounds(old: Bounds, new: Bounds) -> list[str]:
    return tighter_bounds(new, old)


def _greater(a: Any, b: Any) -> bool:
    return a > b


def _less(a: Any, b: Any) -> bool:
    return a < b


def compare_rule(old: FieldRule, new: FieldRule, actions: tuple[Action, Action]) -> Iterator[tuple[bool, str]]:
    """(breaking, what changed) for each difference between two rules of the same kind.

    ``actions`` are the old and new rule's effective actions (their own, else the contract's).
    """
    kind = old.kind
    if kind == "regex" and old.regex != new.regex:
        yield True, f"pattern changed {old.regex!r} -> {new.regex!r}"
    if kind == "values":
        removed = [v for v in old.values if v not in new.values]
        added = [v for v in new.values if v not in old.values]
        if removed:
            yield True, f"value set no longer allows {removed}"
        if added:
            yield False, f"value set now also allows {added}"
    if kind in {"range", "length"}:
        tightened = tighter_bounds(old.setting, new.setting)
        loosened = looser_bounds(old.setting, new.setting)
        if tightened:
            yield True, f"{kind} narrowed ({', '.join(tightened)})"
        if loosened:
            yield False, f"{kind} widened ({', '.join(loosened)})"
    if kind == "completeness" and old.completeness != new.completeness:
        yield new.completeness > old.completeness, f"completeness {old.completeness} -> {new.completeness}"
    if kind == "distribution":
        yield from _compare_distribution(old, new)
    if old.mostly != new.mostly:
        yield new.mostly > old.mostly, f"mostly {old.mostly} -> {new.mostly}"
    if old.on_violation or new.on_violation:
        # Rules that follow the contract's action are covered by the contract-level change.
        yield from compare_actions(*actions)
    if old.clause != new.clause:
        yield False, f"now enforces clause {new.clause} (was {old.clause})"


def compare_actions(before: Action, after: Action) -> Iterator[tuple[bool, str]]:
    if before != after:
        stricter = ACTION_ORDER.index(after) > ACTION_ORDER.index(before)
        yield stricter, f"on_violation {before.value} -> {after.value}"


def _compare_distribution(old: FieldRule, new: FieldRule) -> Iterator[tuple[bool, str]]:
    before, after = old.distribution, new.distribution
    if before.shares != after.shares:
        yield True, f"expected shares changed {before.shares} -> {after.shares}"
    if before.max_divergence != after.max_divergence:
        yield after.max_divergence < before.max_divergence, f"max_divergence {before.max_divergence} -> {after.max_divergence}"
    if before.mean != after.mean:
        tightened = tighter_bounds(before.mean or Bounds(), after.mean or Bounds())
        yield bool(tightened), f"mean band {before.mean} -> {after.mean}"


def rule_key(rules: list[FieldRule]) -> dict[tuple[str, int], FieldRule]:
    """Rules keyed by kind and their position among rules of that kind, so reordering is no change."""
    seen: dict[str, int] = {}
    keyed = {}
    for rule in rules:
        seen[rule.kind] = seen.get(rule.kind, -1) + 1
        keyed[(rule.kind, seen[rule.kind])] = rule
    return keyed
