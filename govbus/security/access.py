"""Access rights derived from the project and its contracts: who may write and read which topic.

- A provider writes (and reads back) only its own topics and their dead-letter and quarantine twins.
- A consumer reads a topic only if a contract in force names it, and reads the projection instead
  when some field is withheld from it; it may report unreadable messages to that topic's DLQ.
- Services: ``airflow`` lands every topic, ``steward`` reviews DLQ and quarantine twins and
  republishes what it releases, ``projector`` turns sources into projections, and ``reconciler``
  acts for the ``registry`` agency and writes ``registry.*`` topics.
- ``connect`` writes (and creates) the change topic of each ``kind: cdc`` connector, which that
  connector's agency reads. The local worker runs standalone: its offsets are in a file, so it has
  no internal topics and no consumer group to grant.
- Each principal may use consumer groups whose id starts with its own name and a dot; Airflow's
  bus watcher uses its own group as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govbus.bus.dead_letter import dead_letter_topic
from govbus.bus.quarantine import quarantine_topic
from govbus.bus.topics import desired_topics
from govbus.connectors.cdc import change_topic
from govbus.connectors.definition import load_definitions
from govbus.orchestration.connections import WATCH_GROUP
from govbus.project import Project
from govbus.security.entitlements import entitlements
from govbus.security.principals import AIRFLOW, CONNECT, RECONCILER

REGISTRY_AGENCY = "registry"


@dataclass(frozen=True, order=True)
class Grant:
    """One ACL: ``principal`` may ``operation`` on ``resource`` ``name`` (or every name it prefixes)."""

    principal: str
    resource: str  # TOPIC or GROUP
    name: str
    operation: str  # READ or WRITE (anything else found on a broker is shown as it is)
    pattern: str = "LITERAL"  # or PREFIXED
    permission: str = "ALLOW"
    host: str = "*"
    reason: str = field(default="", compare=False)

    def to_dict(self) -> dict:
        return {**self.__dict__, "acl": str(self)}

    def __str__(self) -> str:
        star = "*" if self.pattern == "PREFIXED" else ""
        verb = self.operation if self.permission == "ALLOW" else f"{self.permission} {self.operation}"
        return f"{self.principal} {verb} {self.resource.lower()} {self.name}{star}"


def desired_grants(project: Project) -> list[Grant]:
    """Every ACL the project's contracts call for, each with the reason it exists."""
    twins = {spec.name for spec in desired_topics(project)}
    grants: list[Grant] = []

    def topic(principal: str, operation: str, name: str, reason: str) -> None:
        grants.append(Grant(principal, "TOPIC", name, operation, reason=reason))

    for name, declared in project.topics.items():
        held, dead = quarantine_topic(name), dead_letter_topic(name)
        mine = f"provider of {name}"
        for operation, target in [("WRITE", name), ("READ", name), ("WRITE", dead), ("READ", dead), ("WRITE", held)]:
            if target == name or target in twins:
                topic(declared.provider, operation, target, mine)
        topic(AIRFLOW, "READ", name, "lands every topic into the store")
        for target in (dead, held):
            if target in twins:
                topic("steward", "READ", target, "reviews dead letters and quarantined events")
        topic("steward", "WRITE", name, "republishes released and replayed events")
        if dead in twins:
            topic(AIRFLOW, "WRITE", dead, "dead-letters what it cannot land")
            topic("steward", "WRITE", dead, "dead-letters what still fails on replay")
    for entitlement in entitlements(project):
        why = f"consumer under {entitlement.agreement} ({entitlement.contract.id})"
        if entitlement.projected:
            why += f"; withheld: {', '.join(entitlement.withheld)}"
            topic("projector", "READ", entitlement.topic, f"projects it for {entitlement.consumer}")
            topic("projector", "WRITE", entitlement.read_topic, f"projection for {entitlement.consumer}")
            topic("projector", "WRITE", dead_letter_topic(entitlement.topic), "dead-letters what it cannot project")
            topic("steward", "READ", dead_letter_topic(entitlement.read_topic), "reviews dead letters")
        topic(entitlement.consumer, "READ", entitlement.read_topic, why)
        topic(entitlement.consumer, "WRITE", dead_letter_topic(entitlement.read_topic), "reports unreadable messages")
    if REGISTRY_AGENCY in project.agencies:
        acting = [g for g in grants if g.principal == REGISTRY_AGENCY]
        grants += [Grant(RECONCILER, g.resource, g.name, g.operation, reason=f"acts for the registry: {g.reason}") for g in acting]
        for operation in ("READ", "WRITE"):
            grants.append(Grant(RECONCILER, "TOPIC", f"{REGISTRY_AGENCY}.", operation, "PREFIXED", reason="publishes the shared registry"))
    for definition in load_definitions(project).values():
        if definition.kind == "cdc":
            changes, why = change_topic(definition), f"change events of connector {definition.name}"
            grants += [Grant(CONNECT, "TOPIC", changes, operation, reason=f"Debezium writes the {why}") for operation in ("CREATE", "WRITE")]
            topic(definition.agency, "READ", changes, f"publishes the {why} to its topic")
    readers = sorted({g.principal for g in grants if g.operation == "READ"})
    grants += [Grant(p, "GROUP", f"{p}.", "READ", "PREFIXED", reason="its own consumer groups") for p in readers]
    grants.append(Grant(AIRFLOW, "GROUP", WATCH_GROUP, "READ", reason="the bus watcher's consumer group (AssetWatcher)"))
    return sorted(set(grants))
