"""Telling the bus what a reconciliation run changed: merges, splits and updated golden records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from govbus.errors import ConfigurationError
from govbus.project import Project
from govbus.registry.ids import Assignment

AGENCY = "registry"
MERGED, SPLIT, RECONCILED = "registry.person.merged", "registry.person.split", "registry.person.reconciled"


def announce(project: Project, publisher, assignment: Assignment, summaries: Mapping[str, dict], model_version: str, now: datetime) -> int:
    """Publish the run's events (``publisher`` is a ``govbus.bus.Publisher``); returns how many were sent."""
    at = now.isoformat()
    merged = [{"person_id": p, "merged_person_ids": ids, "model_version": model_version, "occurred_at": at}
              for p, ids in assignment.merges.items()]
    split = [{"person_id": p, "split_person_ids": ids, "model_version": model_version, "occurred_at": at}
             for p, ids in assignment.splits.items()]
    reconciled = [
        {"person_id": p, "record_count": s["record_count"], "sources": s["sources"], "conflicts": sorted(s["conflicts"]),
         "occurred_at": at, **{a: s["golden"].get(a, {}).get("value") for a in ("given_name", "family_name", "date_of_birth")}}
        for p, s in summaries.items()
    ]
    sent = 0
    for subject, events in ((MERGED, merged), (SPLIT, split), (RECONCILED, reconciled)):
        if events:
            sent += publisher.publish(topic_for(project, subject), events, agency=AGENCY).sent
    return sent


def topic_for(project: Project, subject: str) -> str:
    for topic in project.topics.values():
        if topic.subject == subject:
            return topic.name
    raise ConfigurationError(f"no topic in govbus.yaml carries {subject}; add it under topics: with provider {AGENCY}")
