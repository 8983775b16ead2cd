"""Rules a topic's Avro schema already enforces, so per-record checking can leave them out.

Every record is encoded against its schema before the contract's checks run at publish, and
decoded from it before they run at consume: a field that no version of the schema lets be null
cannot break ``not_null``, and an enum whose symbols all lie in a ``values`` list cannot break
it. Checking those again per event only costs throughput. A rule is left out only when every
version of the subject guarantees it, since a publisher may write with any of them.
"""

from __future__ import annotations

from typing import Any, Iterable

from govbus.contracts.model import FieldRule
from govbus.schemas.version import SchemaVersion


def guaranteed_by(versions: Iterable[SchemaVersion], field: str, rule: FieldRule) -> bool:
    """True when each of ``versions`` makes any record it encodes keep ``rule`` on ``field``."""
    versions = list(versions)
    return bool(versions) and all(_guarantees(version.field(field), rule) for version in versions)


def _guarantees(field: dict[str, Any] | None, rule: FieldRule) -> bool:
    if field is None:
        return False
    branches = field["type"] if isinstance(field["type"], list) else [field["type"]]
    if rule.kind == "not_null":
        # A field with a default may be absent from the record the contract reads.
        return "null" not in branches and "default" not in field
    if rule.kind == "values":
        allowed = {str(value) for value in rule.values}
        present = [branch for branch in branches if branch != "null"]
        return bool(present) and all(_enum_within(branch, allowed) for branch in present)
    return False


def _enum_within(branch: Any, allowed: set[str]) -> bool:
    return isinstance(branch, dict) and branch.get("type") == "enum" and set(branch["symbols"]) <= allowed
