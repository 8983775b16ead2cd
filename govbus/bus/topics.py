"""Topic provisioning: the project's topics with their dead-letter and quarantine twins, applied idempotently.

Every topic gets a dead-letter twin; a topic whose contract may quarantine also gets
``<topic>.quarantine``, so the contracts, not a hand-kept list, decide which twins exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic

from govbus.bus import clients
from govbus.bus.dead_letter import dead_letter_topic
from govbus.bus.quarantine import quarantine_topic
from govbus.contracts.loader import contracts_in
from govbus.errors import ConfigurationError
from govbus.project import Project
from govbus.settings import KafkaSettings

# Dead letters and quarantined events wait for a steward, so they are kept longer than the events themselves.
DLQ_RETENTION_MS = 90 * 86_400_000
QUARANTINE_RETENTION_MS = DLQ_RETENTION_MS


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    configs: dict[str, str]


@dataclass(frozen=True)
class TopicChange:
    topic: str
    action: str  # created, updated, partitions, unchanged
    detail: str = ""


def desired_topics(project: Project) -> list[TopicSpec]:
    """Each topic, its dead-letter twin and, where its contract may quarantine, its quarantine twin."""
    quarantining = {c.dataset.topic for c in contracts_in(project.contracts_dir) if c.may_quarantine}
    specs = []
    for topic in project.topics.values():
        configs = {"retention.ms": str(topic.retention_ms), "cleanup.policy": topic.cleanup_policy.value}
        specs.append(TopicSpec(topic.name, topic.partitions, topic.replication_factor, configs))
        # One partition keeps a steward's offsets unambiguous; these twins carry little traffic.
        if topic.dead_letter:
            dlq_configs = {"retention.ms": str(DLQ_RETENTION_MS), "cleanup.policy": "delete"}
            specs.append(TopicSpec(dead_letter_topic(topic.name), 1, topic.replication_factor, dlq_configs))
        if topic.name in quarantining:
            held_configs = {"retention.ms": str(QUARANTINE_RETENTION_MS), "cleanup.policy": "delete"}
            specs.append(TopicSpec(quarantine_topic(topic.name), 1, topic.replication_factor, held_configs))
    return specs


def apply_topics(specs: list[TopicSpec], settings: KafkaSettings | None = None) -> list[TopicChange]:
    """Create what is missing, align configs and grow partitions; never deletes or shrinks."""
    admin = clients.admin(settings or KafkaSettings())
    try:
        with clients.broker_faults("applying topics"):
            existing = set(admin.list_topics())
            missing = [s for s in specs if s.name not in existing]
            if missing:
                admin.create_topics(
                    [NewTopic(s.name, s.partitions, s.replication_factor, topic_configs=s.configs) for s in missing],
                    wait_for_metadata=True,
                )
            changes = [TopicChange(s.name, "created", f"{s.partitions} partitions") for s in missing]
            present = [s for s in specs if s.name in existing]
            if present:
                changes += _align(admin, present)
        return changes
    finally:
        admin.close()


def _align(admin, specs: list[TopicSpec]) -> list[TopicChange]:
    described = {t["name"]: len(t["partitions"]) for t in admin.describe_topics([s.name for s in specs])}
    current = _topic_configs(admin, [s.name for s in specs])
    changes = []
    for spec in specs:
        have = described[spec.name]
        if have > spec.partitions:
            raise ConfigurationError(
                f"topic {spec.name} has {have} partitions but govbus.yaml asks for {spec.partitions}; "
                "Kafka cannot shrink a topic, so raise the number in govbus.yaml"
            )
        details = []
        if have < spec.partitions:
            admin.create_partitions({spec.name: NewPartitions(spec.partitions)})
            details.append(f"partitions {have} -> {spec.partitions}")
        drift = {k: v for k, v in spec.configs.items() if current[spec.name].get(k) != v}
        if drift:
            admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, spec.name, configs=drift)], incremental=True)
            details += [f"{k} {current[spec.name].get(k)} -> {v}" for k, v in drift.items()]
        changes.append(TopicChange(spec.name, "updated" if details else "unchanged", "; ".join(details)))
    return changes


def _topic_configs(admin, names: list[str]) -> dict[str, dict[str, str]]:
    resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
    described = admin.describe_configs(resources, config_filter="all")["topic"]
    return {name: {key: entry["value"] for key, entry in described.get(name, {}).items()} for name in names}
