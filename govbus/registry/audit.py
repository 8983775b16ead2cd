"""The reconcile audit trail: every merge and split with the records before and after.

Each change is written twice, in the run's transaction: as a ``reconcile_audit`` row (the
registry's own history of who held which records) and as an entry in the hash-chained audit log,
naming the people and the agency records involved, so ``govbus audit person`` answers for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, insert

from govbus import audit
from govbus.contracts.loader import contracts_in
from govbus.project import Project
from govbus.registry.events import MERGED, SPLIT
from govbus.registry.ids import Assignment
from govbus.registry.tables import reconcile_audit

ACTOR = "reconciler"
# Each change: its audit kind, where the assignment keeps it, the subject its event goes out on, and
# the field that event names the other people in.
CHANGES = (
    ("merge", "merges", MERGED, "merged_person_ids"),
    ("split", "splits", SPLIT, "split_person_ids"),
)


def record_changes(
    connection: Connection,
    project: Project,
    assignment: Assignment,
    previous: Mapping[str, str],
    people: Mapping[str, list[str]],
    model_version: str,
    now: datetime,
) -> None:
    """One audit row and one audit-log entry per merge and per split: each person's records before, and after."""
    held: dict[str, list[str]] = {}
    for uid, pid in previous.items():
        held.setdefault(pid, []).append(uid)
    # Reading the contracts costs more than a quiet run's whole write, so only a run with changes does.
    agreements = _agreements(project) if assignment.merges or assignment.splits else {}
    rows = []
    for action, attribute, subject, others_field in CHANGES:
        for pid, others in getattr(assignment, attribute).items():
            involved = [pid, *others]
            source = involved if action == "merge" else [pid]
            result = [pid] if action == "merge" else involved
            row = {
                "action": action, "person_id": pid, "model_version": model_version, "at": now,
                "before": {p: sorted(held.get(p, [])) for p in source},
                "after": {p: people.get(p, []) for p in result},
            }
            rows.append(row)
            records = {uid for uids in (*row["before"].values(), *row["after"].values()) for uid in uids}
            details = {"person_id": pid, others_field: others,
                       "model_version": model_version, "before": row["before"], "after": row["after"]}
            # A citizen asks by the id an agency holds (a national id, a tax id), so the records' own ids are subjects too.
            subjects = [*involved, *records, *(uid.split(":", 1)[-1] for uid in records)]
            audit.record(None, action, ACTOR, subjects, agreements.get(subject), details, connection=connection)
    if rows:
        connection.execute(insert(reconcile_audit), rows)


def _agreements(project: Project) -> dict[str, str]:
    """Subject -> the agreement its contract enforces."""
    return {c.dataset.subject: c.agreement.ref for c in contracts_in(project.contracts_dir)}
