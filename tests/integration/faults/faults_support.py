"""Helpers of the fault suite: the topic to publish to, and a tally of landed event ids.

Landing in these tests writes one audit entry per batch, inside the batch's transaction, naming
the event ids it landed. Whatever the faults, the sum of the entries' counts must equal the number
of events (nothing landed twice) and their ids must cover every event (nothing lost); the audit
chain itself must survive every kill intact.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from govbus.audit import record
from govbus.audit.tables import audit_entry, audit_subject
from govbus.bus.topics import apply_topics, desired_topics
from govbus.project import Project
from govbus.store import Store

LANDER = "airflow"


def tally_landing(table, rows: list[dict[str, Any]], connection) -> None:
    """A landing batch hook: one audit entry naming the batch's event ids, in the batch's transaction."""
    record(None, "consume", LANDER, [row["_event_id"] for row in rows], None, {"table": table.name, "events": len(rows)}, connection=connection)


def landing_tally(store: Store) -> tuple[int, int]:
    """(event ids recorded over all committed batches, distinct event ids among them)."""
    with store.begin() as connection:
        recorded = connection.execute(select(func.coalesce(func.sum(audit_entry.c.subject_count), 0)).where(audit_entry.c.actor == LANDER)).scalar_one()
        distinct = connection.execute(select(func.count(func.distinct(audit_subject.c.subject_id)))).scalar_one()
    return int(recorded), int(distinct)


def registered_topic(project: Project, settings) -> str:
    apply_topics(desired_topics(project), settings)
    return next(name for name in project.topics if name.startswith("population.person.registered"))
