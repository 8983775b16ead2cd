"""Entitlements, projections and access rights derived from the demo country's contracts."""

from __future__ import annotations

from pathlib import Path

import pytest

from govbus.bus.dead_letter import dead_letter_topic
from govbus.connectors import find_definition, load_definitions
from govbus.connectors.cdc import change_topic
from govbus.orchestration.connections import WATCH_GROUP
from govbus.project import load_project
from govbus.security.access import desired_grants
from govbus.security.entitlements import entitlements
from govbus.security.projection import projection_topic_specs, with_projections

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def project():
    return load_project(REPO)


def entitlement(project, topic: str, consumer: str):
    return next(e for e in entitlements(project) if e.topic == topic and e.consumer == consumer)


def test_passport_numbers_go_to_the_migration_board_only(project):
    # AGR-2026-012 clause 6.2: "Passport numbers go to the Migration Board only."
    receivers = {e.consumer for e in entitlements(project) if e.topic == "population.person.registered" and "passport_number" in e.fields}
    assert receivers == {"migration"}


def test_a_consumer_entitled_to_every_field_reads_the_topic_itself(project):
    address_changes = entitlement(project, "population.person.address_changed", "tax")
    assert not address_changes.projected and address_changes.read_topic == "population.person.address_changed"


def test_a_consumer_missing_a_field_reads_its_own_projection(project):
    migration = entitlement(project, "population.person.registered", "migration")
    assert migration.read_topic == "population.person.registered.for.migration"
    assert set(migration.withheld) == {"sex", "street", "postcode", "civil_status"}
    assert "passport_number" in migration.fields and "city" in migration.fields  # city is public


def test_projected_schemas_hold_only_the_entitled_fields_and_have_fingerprints_of_their_own(project):
    projected = with_projections(project)
    source = project.registry.get("population.person.registered")
    versions = [projected.registry.get(f"population.person.registered.for.{c}") for c in ("tax", "social", "registry")]
    assert versions[0].field_names == [f for f in source.field_names if f != "passport_number"]
    # Tax and Social receive the same fields; their projections must still not be mistaken for each other.
    assert versions[0].field_names == versions[1].field_names
    fingerprints = {source.fingerprint, *(v.fingerprint for v in versions)}
    assert len(fingerprints) == 4
    assert all(projected.registry.by_fingerprint(v.fingerprint) is v for v in versions)


def test_every_projection_gets_a_topic_and_a_dead_letter_twin_with_the_source_partitions(project):
    specs = {spec.name: spec for spec in projection_topic_specs(project)}
    assert specs["social.person.insured.for.tax"].partitions == project.topics["social.person.insured"].partitions
    assert dead_letter_topic("social.person.insured.for.tax") in specs
    assert not any(name.startswith("population.person.address_changed") for name in specs)


def test_providers_write_only_their_own_topics(project):
    writes = [g for g in desired_grants(project) if g.operation == "WRITE" and g.principal in project.agencies]
    for grant in writes:
        source = grant.name.split(".for.")[0].removesuffix(".dlq").removesuffix(".quarantine")
        # An agency may report unreadable messages to the DLQ of what it reads; it writes no other topic.
        assert project.topics[source].provider == grant.principal or grant.name.endswith(".dlq"), grant


def test_no_agency_reads_a_source_with_a_field_withheld_from_it(project):
    reads = {(g.principal, g.name) for g in desired_grants(project) if g.operation == "READ" and g.resource == "TOPIC"}
    for e in entitlements(project):
        assert ((e.consumer, e.topic) in reads) == (not e.projected), e.read_topic
        assert (e.consumer, e.read_topic) in reads


def test_an_agency_reads_only_its_own_topics_and_those_a_contract_names_it_for(project):
    definitions = load_definitions(project).values()
    for agency in project.agencies:
        own = {name for name, topic in project.topics.items() if topic.provider == agency}
        allowed = own | {dead_letter_topic(name) for name in own}
        allowed |= {e.read_topic for e in entitlements(project) if e.consumer == agency}
        allowed |= {change_topic(d) for d in definitions if d.kind == "cdc" and d.agency == agency}
        reads = {g.name for g in desired_grants(project) if g.principal == agency and g.resource == "TOPIC" and g.operation == "READ"}
        assert reads <= allowed, agency


def test_the_services_of_the_local_stack_get_the_groups_and_change_topics_they_use(project):
    grants = {(g.principal, g.resource, g.name, g.operation, g.pattern) for g in desired_grants(project)}
    assert ("airflow", "GROUP", WATCH_GROUP, "READ", "LITERAL") in grants
    changes = change_topic(find_definition(project, "social-insured-persons"))
    assert {("connect", "TOPIC", changes, operation, "LITERAL") for operation in ("CREATE", "WRITE")} <= grants
    assert ("social", "TOPIC", changes, "READ", "LITERAL") in grants
    # Nothing else: Connect writes no agency topic, and no other agency reads the change stream.
    assert {g[2] for g in grants if g[0] == "connect"} == {changes}
    assert {g[0] for g in grants if g[2] == changes} == {"connect", "social"}
