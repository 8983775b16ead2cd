"""The reconcile audit trail: every merge and split with the records before and after."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, insert

from govbus.registry.ids import Assignment
from govbus.registry.tables import reconcile_audit


def record_changes(
    connection: Connection,
    assignment: Assignment,
    previous: Mapping[str, str],
    people: Mapping[str, list[str]],
    model_version: str,
    now: datetime,
) -> None:
    """One audit row per merge and per split: each person's records before, and after."""
    held: dict[str, list[str]] = {}
    for uid, pid in previous.items():
        held.setdefault(pid, []).append(uid)
    rows = []
    for action, changes in (("merge", assignment.merges), ("split", assignment.splits)):
        for pid, others in changes.items():
            involved = [pid, *others]
            source = involved if action == "merge" else [pid]
            result = [pid] if action == "merge" else involved
            rows.append({
                "action": action, "person_id": pid, "model_version": model_version, "at": now,
                "before": {p: sorted(held.get(p, [])) for p in source},
                "after": {p: people.get(p, []) for p in result},
            })
    if rows:
        connection.execute(insert(reconcile_audit), rows)
