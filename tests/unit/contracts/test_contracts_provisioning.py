"""Provisioning from contracts: a topic whose contract may quarantine gets its quarantine twin."""

from __future__ import annotations

from contract_files import edit

from govbus.bus.topics import desired_topics
from govbus.contracts.loader import load_contracts
from govbus.project import load_project


def test_every_topic_gets_a_dead_letter_twin_and_a_quarantine_twin_where_its_contract_quarantines(project):
    names = {spec.name for spec in desired_topics(project)}
    quarantining = {c.dataset.topic for c in load_contracts(project.contracts_dir) if c.may_quarantine}
    assert "post.address.change_notified" in quarantining and "registry.person.merged" not in quarantining
    for topic in project.topics:
        assert {topic, f"{topic}.dlq"} <= names
        assert (f"{topic}.quarantine" in names) == (topic in quarantining)


def test_a_contract_that_never_quarantines_gets_no_quarantine_twin(project):
    edit(project.contracts_dir / "municipality-residents.yaml", "on_violation: quarantine", "on_violation: reject")
    specs = {spec.name: spec for spec in desired_topics(load_project(project.root))}
    assert "municipality.resident.registered.quarantine" not in specs
    held = specs["post.address.change_notified.quarantine"]
    # Held events wait for a steward: one partition, kept longer than the topic's own 14 days.
    assert held.partitions == 1 and int(held.configs["retention.ms"]) > 14 * 86_400_000
