"""Field-level protection end to end: a consumer receives only the fields its agreement gives it."""

from __future__ import annotations

import json

import pytest
from kafka.errors import TopicAuthorizationFailedError
from kafka.structs import TopicPartition

from govbus.audit.hooks import AuditedPublisher, record_consumption
from govbus.bus import clients
from govbus.bus.subscriber import Subscriber
from govbus.bus.topics import apply_topics, desired_topics
from govbus.security.access import desired_grants
from govbus.security.acls import apply_access
from govbus.security.credentials import issue, settings_for
from govbus.security.projection import projection_topic_specs, with_projections
from govbus.security.projector import run_projector
from govbus.store import Store

PEOPLE = 40


def read_all(project, topic: str, settings, group: str) -> list:
    with Subscriber(with_projections(project), [topic], group_id=group, settings=settings) as subscriber:
        return list(subscriber.events(idle_timeout_s=2))


@pytest.fixture(scope="module")
def admin(secure_broker):
    return secure_broker.client_settings()


@pytest.fixture(scope="module")
def country(admin, demo_project, resident):
    project = demo_project()
    apply_topics(desired_topics(project) + projection_topic_specs(project), admin)
    apply_access(desired_grants(project), admin)
    for name in ("population", "projector", "tax", "migration"):
        issue(project, name, admin)
    project.registered = next(name for name in project.topics if name.startswith("population.person.registered"))
    project.as_ = lambda name: settings_for(project, name, admin)
    store = Store.for_project(project)
    store.migrate()
    with AuditedPublisher(project, project.as_("population"), store=store) as publisher:
        people = [resident(n, civil_status="married", passport_number=f"P{n:07d}") for n in range(PEOPLE)]
        receipt = publisher.publish(project.registered, people)
    assert receipt.sent == PEOPLE, receipt.to_dict()
    projected = run_projector(project, project.as_("projector"), idle_timeout_s=2)
    assert {name: n for name, n in projected.projected.items() if n} == {f"{project.registered}.for.{c}": PEOPLE for c in ("tax", "social", "municipality", "migration", "registry")}
    project.store, project.published = store, {person["national_id"]: person for person in people}
    return project


def test_tax_receives_everything_but_passport_numbers_under_the_same_event_ids(country, admin):
    events = read_all(country, f"{country.registered}.for.tax", country.as_("tax"), "tax.residents")
    source = read_all(country, country.registered, admin, "admin.check")
    assert len(events) == PEOPLE
    published = country.published
    for event in events:
        assert "passport_number" not in event.record
        assert event.record == {k: v for k, v in published[event.key].items() if k != "passport_number"}
    assert {e.headers["event_id"] for e in events} == {e.headers["event_id"] for e in source}
    assert all(e.headers["subject"].endswith(".for.tax") for e in events)


def test_the_migration_board_receives_passports_but_no_address_sex_or_civil_status(country):
    events = read_all(country, f"{country.registered}.for.migration", country.as_("migration"), "migration.residents")
    assert len(events) == PEOPLE
    assert {tuple(sorted(e.record)) for e in events} == {
        ("city", "date_of_birth", "family_name", "given_name", "national_id", "passport_number")
    }


def test_tax_cannot_read_the_source_topic_nor_another_consumers_projection(country):
    for topic in (country.registered, f"{country.registered}.for.migration"):
        consumer = clients.consumer(country.as_("tax"), enable_auto_commit=False)
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        with pytest.raises(TopicAuthorizationFailedError):
            consumer.position(partition)
            consumer.poll(timeout_ms=2000)
        consumer.close()


def test_a_citizen_sees_the_register_published_and_tax_consumed_their_data(country, govbus_cli):
    events = read_all(country, f"{country.registered}.for.tax", country.as_("tax"), "tax.audited")
    record_consumption(country.store, country, "tax", events)
    person = sorted(country.published)[7]
    result = govbus_cli("--project", country.root, "audit", "person", person, "--json")
    assert result.exit_code == 0, result.output
    uses = [(e["kind"], e["actor"], e["agreement_ref"]) for e in json.loads(result.stdout)]
    assert uses == [("publish", "population", "AGR-2026-012"), ("consume", "tax", "AGR-2026-012")]
    assert govbus_cli("--project", country.root, "audit", "verify").exit_code == 0


def test_the_projector_resumes_where_it_stopped(country, resident, secure_environment, govbus_cli):
    newcomers = [resident(n, passport_number=f"P{n:07d}") for n in range(PEOPLE, PEOPLE + 5)]
    with AuditedPublisher(country, country.as_("population"), store=country.store) as publisher:
        assert publisher.publish(country.registered, newcomers).sent == 5
    result = govbus_cli("--project", country.root, "access", "project", "--idle", "2", "--json")
    assert result.exit_code == 0, result.output
    receipt = json.loads(result.stdout)
    assert receipt["consumed"] == 5
    assert receipt["projected"][f"{country.registered}.for.migration"] == 5
