"""Telling the bus what a reconciliation run changed: merges, splits and updated golden records.

The registry is a provider like any agency: its events go through the ``Publisher`` with the
per-record checks of their contracts (``contracts/registry-person-*.yaml``), and an event that
breaks one is dead-lettered and counted, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from govbus.bus.publisher import Publisher
from govbus.bus.receipt import PublishReceipt
from govbus.contracts import checks_for
from govbus.errors import ConfigurationError
from govbus.project import Project
from govbus.registry.ids import Assignment
from govbus.security.credentials import acting_as
from govbus.security.principals import RECONCILER
from govbus.settings import KafkaSettings

AGENCY = "registry"
MERGED, SPLIT, RECONCILED = "registry.person.merged", "registry.person.split", "registry.person.reconciled"


def registry_publisher(project: Project, settings: KafkaSettings | None = None) -> Publisher:
    """The publisher for the registry's events, checking each against its contract; by default it
    acts as the reconciler service, which holds the registry's grants."""
    return Publisher(project, settings or acting_as(project, RECONCILER), checks=checks_for(project))


def announce(
    project: Project, publisher: Publisher, assignment: Assignment, summaries: Mapping[str, dict], model_version: str, now: datetime
) -> list[PublishReceipt]:
    """Publish the run's events; one receipt per topic that had any."""
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
    return [
        publisher.publish(topic_for(project, subject), events, agency=AGENCY)
        for subject, events in ((MERGED, merged), (SPLIT, split), (RECONCILED, reconciled))
        if events
    ]


def topic_for(project: Project, subject: str) -> str:
    for topic in project.topics.values():
        if topic.subject == subject:
            return topic.name
    raise ConfigurationError(f"no topic in govbus.yaml carries {subject}; add it under topics: with provider {AGENCY}")
