"""``govbus contracts diff OLD NEW``: each change to a contract, classified breaking or not.

Breaking means someone bound by the agreement must act: a consumer loses data it receives
(a field, an entitlement, retention) or a provider's records that passed may now fail (a rule
tightened or added, a service level raised). CI gates on it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterator

from govbus.contracts.diff_rules import NULL_TOLERANT, compare_actions, compare_rule, rule_key, tighter_bounds
from govbus.contracts.model import Classification, Contract, FieldSpec
from govbus.project import duration_ms

CLASSIFICATION_ORDER = list(Classification)


@dataclass(frozen=True)
class Change:
    where: str
    message: str
    breaking: bool

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return f"{'BREAKING' if self.breaking else 'ok'}  {self.where}: {self.message}"


def diff_contracts(old: Contract, new: Contract) -> list[Change]:
    changes = list(_identity(old, new)) + list(_fields(old, new)) + list(_agreement(old, new)) + list(_retention(old, new))
    breaking = any(change.breaking for change in changes)
    if breaking and old.version.split(".")[0] == new.version.split(".")[0]:
        changes.append(Change("version", f"{old.version} -> {new.version} has breaking changes but keeps the major version", True))
    return changes


def _identity(old: Contract, new: Contract) -> Iterator[Change]:
    for where, before, after in (
        ("id", old.id, new.id),
        ("provider", old.provider, new.provider),
        ("dataset.topic", old.dataset.topic, new.dataset.topic),
        ("dataset.subject", old.dataset.subject, new.dataset.subject),
        ("dataset.key", old.dataset.key, new.dataset.key),
        ("dataset.compatibility", old.dataset.compatibility, new.dataset.compatibility),
        ("agreement.ref", old.agreement.ref, new.agreement.ref),
    ):
        if before != after:
            yield Change(where, f"{before} -> {after}", True)
    for consumer in old.consumers:
        if consumer not in new.consumers:
            yield Change("consumers", f"{consumer} is no longer a consumer", True)
    for consumer in new.consumers:
        if consumer not in old.consumers:
            yield Change("consumers", f"{consumer} becomes a consumer", False)
    for breaking, message in compare_actions(old.on_violation, new.on_violation):
        yield Change("on_violation", message, breaking)


def _receivers(contract: Contract, spec: FieldSpec) -> list[str]:
    return spec.consumers if spec.classification.restricted else contract.consumers


def _fields(old: Contract, new: Contract) -> Iterator[Change]:
    for name, spec in old.fields.items():
        if name not in new.fields:
            receivers = _receivers(old, spec)
            detail = f"removed; {', '.join(receivers)} received it" if receivers else "removed; no consumer received it"
            yield Change(f"fields.{name}", detail, bool(receivers))
    for name, spec in new.fields.items():
        where = f"fields.{name}"
        if name not in old.fields:
            yield Change(where, f"added ({spec.classification.value})", False)
            for rule in spec.rules:
                if rule.kind not in NULL_TOLERANT:
                    yield Change(f"{where}.rules", f"new field comes with a {rule.kind} rule, so senders must fill it", True)
            continue
        yield from _field(old, new, name)


def _field(old: Contract, new: Contract, name: str) -> Iterator[Change]:
    before, after = old.fields[name], new.fields[name]
    where = f"fields.{name}"
    if before.classification != after.classification:
        raised = CLASSIFICATION_ORDER.index(after.classification) > CLASSIFICATION_ORDER.index(before.classification)
        yield Change(where, f"classification {before.classification.value} -> {after.classification.value}", raised)
    lost = [c for c in _receivers(old, before) if c in new.consumers and c not in _receivers(new, after)]
    gained = [c for c in _receivers(new, after) if c not in _receivers(old, before)]
    if lost:
        yield Change(f"{where}.consumers", f"{', '.join(lost)} may no longer receive it", True)
    if gained:
        yield Change(f"{where}.consumers", f"{', '.join(gained)} may now receive it", False)
    old_rules, new_rules = rule_key(before.rules), rule_key(after.rules)
    for key, rule in old_rules.items():
        if key not in new_rules:
            yield Change(f"{where}.rules", f"{rule.kind} rule removed (clause {rule.clause})", False)
    for key, rule in new_rules.items():
        if key not in old_rules:
            yield Change(f"{where}.rules", f"{rule.kind} rule added (clause {rule.clause})", True)
            continue
        actions = (old.action_for(old_rules[key]), new.action_for(rule))
        for breaking, message in compare_rule(old_rules[key], rule, actions):
            yield Change(f"{where}.rules.{rule.kind}", message, breaking)


def _agreement(old: Contract, new: Contract) -> Iterator[Change]:
    before, after = old.agreement.service_levels, new.agreement.service_levels
    if before.freshness and after.freshness and before.freshness.within != after.freshness.within:
        shorter = duration_ms(after.freshness.within) < duration_ms(before.freshness.within)
        yield Change("agreement.service_levels.freshness", f"within {before.freshness.within} -> {after.freshness.within}", shorter)
    for name in ("freshness", "completeness", "availability"):
        if getattr(before, name) is None and getattr(after, name) is not None:
            yield Change(f"agreement.service_levels.{name}", "service level added", True)
        elif getattr(before, name) is not None and getattr(after, name) is None:
            yield Change(f"agreement.service_levels.{name}", "service level removed", False)
        elif name != "freshness" and getattr(before, name) is not None:
            was, now = getattr(before, name).at_least, getattr(after, name).at_least
            if was != now:
                yield Change(f"agreement.service_levels.{name}", f"at least {was} -> {now}", now > was)
    if before.completeness and after.completeness:
        extra = [f for f in after.completeness.fields if f not in before.completeness.fields]
        if extra:
            yield Change("agreement.service_levels.completeness", f"now also counts {extra}", True)
    old_rows = {rule.clause: rule for rule in old.quality}
    for rule in new.quality:
        tightened = tighter_bounds(old_rows[rule.clause].row_count, rule.row_count) if rule.clause in old_rows else ["added"]
        if tightened:
            yield Change("quality.row_count", f"clause {rule.clause}: {', '.join(tightened)}", True)
    if new.agreement.costs.amount > old.agreement.costs.amount:
        yield Change("agreement.costs", f"amount {old.agreement.costs.amount} -> {new.agreement.costs.amount}", True)
    for name in ("review", "effective", "published_for_transparency", "legal_basis", "purpose"):
        if getattr(old.agreement, name) != getattr(new.agreement, name):
            yield Change(f"agreement.{name}", f"{getattr(old.agreement, name)} -> {getattr(new.agreement, name)}", False)


def _retention(old: Contract, new: Contract) -> Iterator[Change]:
    for name in ("bus", "consumer_copies"):
        before, after = getattr(old.retention, name), getattr(new.retention, name)
        if before == after:
            continue
        shorter = before is None or (after is not None and duration_ms(after) < duration_ms(before))
        yield Change(f"retention.{name}", f"{before or 'unlimited'} -> {after or 'unlimited'}", shorter)
