"""Projected topics: what a consumer not entitled to every field of a topic reads instead.

``<topic>.for.<consumer>`` carries subject ``<subject>.for.<consumer>``, whose versions are the
source subject's versions with the withheld fields removed. Each projected schema is renamed into
a namespace of its own, so its fingerprint differs from every other version and a reader can never
mistake a projection for the source or for another consumer's projection.
"""

from __future__ import annotations

import copy

from govbus.bus.dead_letter import dead_letter_topic
from govbus.bus.topics import DLQ_RETENTION_MS, TopicSpec
from govbus.project import Project, ProjectFile, Topic
from govbus.schemas.registry import SchemaRegistry, Subject
from govbus.schemas.version import SchemaVersion
from govbus.security.entitlements import Entitlement, entitlements, projected_name

_DLQ_CONFIGS = {"retention.ms": str(DLQ_RETENTION_MS), "cleanup.policy": "delete"}


def projected_version(version: SchemaVersion, entitlement: Entitlement) -> SchemaVersion:
    """``version`` with only the fields ``entitlement`` allows, in the consumer's own namespace."""
    definition = copy.deepcopy(version.definition)
    definition["fields"] = [field for field in definition["fields"] if field["name"] in entitlement.fields]
    base = definition.get("namespace") or version.subject.rsplit(".", 1)[0]
    definition["namespace"] = f"{base}.for_{entitlement.consumer}"
    definition["doc"] = (
        f"{version.subject} v{version.version} as {entitlement.consumer} receives it under "
        f"{entitlement.agreement}; withheld: {', '.join(entitlement.withheld)}"
    )
    return SchemaVersion(projected_name(version.subject, entitlement.consumer), version.version, definition)


def projections(project: Project) -> list[Entitlement]:
    """The entitlements that need a projected topic: some field is withheld from the consumer."""
    return [entitlement for entitlement in entitlements(project) if entitlement.projected]


def projected_subject(project: Project, entitlement: Entitlement) -> Subject:
    source = project.registry.subject(project.topics[entitlement.topic].subject)
    subject = Subject(projected_name(source.name, entitlement.consumer), source.mode)
    subject.versions = {number: projected_version(v, entitlement) for number, v in source.versions.items()}
    return subject


def projected_topic(project: Project, entitlement: Entitlement) -> Topic:
    """Same partitions, key field and retention as the source, so per-key order carries over."""
    source = project.topics[entitlement.topic]
    return source.model_copy(
        update={"name": entitlement.read_topic, "subject": projected_name(source.subject, entitlement.consumer)}
    )


class ProjectWithProjections(Project):
    """A project that also knows its projected topics and subjects, for the projector and consumers."""

    def __init__(self, project: Project) -> None:
        wanted = projections(project)
        topics = {**project.topics, **{e.read_topic: projected_topic(project, e) for e in wanted}}
        super().__init__(project.root, ProjectFile.model_construct(**{**dict(project.config), "topics": topics}))
        subjects = {**project.registry.subjects}
        for entitlement in wanted:
            subject = projected_subject(project, entitlement)
            subjects[subject.name] = subject
        self._registry = SchemaRegistry(subjects)
        self.projections = wanted

    @property
    def registry(self) -> SchemaRegistry:
        return self._registry


def with_projections(project: Project) -> ProjectWithProjections:
    """``project`` plus its projections: ``Subscriber(with_projections(p), ["x.for.tax"], ...)``."""
    return project if isinstance(project, ProjectWithProjections) else ProjectWithProjections(project)


def projection_topic_specs(project: Project) -> list[TopicSpec]:
    """Each projected topic and its dead-letter twin, for ``apply_topics``."""
    specs = []
    for entitlement in projections(project):
        topic = projected_topic(project, entitlement)
        configs = {"retention.ms": str(topic.retention_ms), "cleanup.policy": topic.cleanup_policy.value}
        specs.append(TopicSpec(topic.name, topic.partitions, topic.replication_factor, configs))
        specs.append(TopicSpec(dead_letter_topic(topic.name), 1, topic.replication_factor, dict(_DLQ_CONFIGS)))
    return specs
