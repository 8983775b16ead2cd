"""``govbus access apply`` brings the broker's ACLs to what the contracts say, adding and removing."""

from __future__ import annotations

import json

import yaml
from kafka.errors import KafkaError
from kafka.structs import TopicPartition

from govbus.bus import clients
from govbus.bus.topics import apply_topics, desired_topics
from govbus.security.access import Grant
from govbus.security.acls import apply_access, current_grants
from govbus.security.credentials import issue, settings_for


def reads(settings, topic: str) -> bool:
    consumer = clients.consumer(settings, enable_auto_commit=False)
    partition = TopicPartition(topic, 0)
    try:
        consumer.assign([partition])
        consumer.position(partition)
        consumer.poll(timeout_ms=1000)
        return True
    except KafkaError as exc:
        assert "AuthorizationFailed" in type(exc).__name__, exc
        return False
    finally:
        consumer.close()


def withdraw_consumer(project, contract_file: str, consumer: str) -> None:
    """The agreement no longer names ``consumer``: as if the steward edited the contract."""
    path = project.contracts_dir / contract_file
    contract = yaml.safe_load(path.read_text())
    contract["consumers"].remove(consumer)
    for spec in contract["fields"].values():
        if consumer in spec.get("consumers", []):
            spec["consumers"].remove(consumer)
    path.write_text(yaml.safe_dump(contract, allow_unicode=True))


def test_apply_is_idempotent_and_removes_acls_the_contracts_do_not_call_for(secure_environment, demo_project, govbus_cli):
    project = demo_project()
    apply_topics(desired_topics(project), secure_environment)
    stray = Grant("mallory", "TOPIC", next(iter(project.topics)), "READ")
    apply_access([stray], secure_environment)

    planned = govbus_cli("--project", project.root, "access", "apply", "--dry-run", "--json")
    assert planned.exit_code == 0, planned.output
    plan = json.loads(planned.stdout)
    assert str(stray) in [g["acl"] for g in plan["removed"]] and plan["added"]
    assert stray in current_grants(secure_environment)  # a dry run changes nothing

    first = json.loads(govbus_cli("--project", project.root, "access", "apply", "--json").stdout)
    second = json.loads(govbus_cli("--project", project.root, "access", "apply", "--json").stdout)
    assert first["changed"] and len(first["added"]) == len(plan["added"])
    assert not second["changed"] and second["kept"] == len(first["added"])
    assert stray not in current_grants(secure_environment)


def test_an_agency_the_agreement_stops_naming_loses_its_access_at_the_next_apply(secure_environment, demo_project, govbus_cli):
    project = demo_project()
    apply_topics(desired_topics(project), secure_environment)
    assert govbus_cli("--project", project.root, "access", "apply").exit_code == 0
    for agency in ("social", "tax"):
        issue(project, agency, secure_environment)
    social, tax = (settings_for(project, agency, secure_environment) for agency in ("social", "tax"))
    moves = next(name for name in project.topics if name.startswith("population.person.address_changed"))
    assert reads(social, moves)

    listed = json.loads(govbus_cli("--project", project.root, "access", "list", "--principal", "social", "--json").stdout)
    assert {"acl": f"social READ topic {moves}", "because": "consumer under AGR-2026-014 (population-address-changes)"} in [
        {"acl": g["acl"], "because": g["reason"]} for g in listed
    ]

    withdraw_consumer(project, "population-address-changes.yaml", "social")
    result = json.loads(govbus_cli("--project", project.root, "access", "apply", "--json").stdout)
    assert f"social READ topic {moves}" in [g["acl"] for g in result["removed"]]
    assert not reads(social, moves)
    assert reads(tax, moves)  # still named by AGR-2026-014
