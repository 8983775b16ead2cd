"""Landing under a contract: breaches held per record at consume, and each batch audited for its consumer."""

from __future__ import annotations

import json
from pathlib import Path

from land_bus import publish
from test_lander import move, rows

from govbus.audit.log import entries
from govbus.bus.quarantine import QuarantineNote, quarantine_topic
from govbus.bus.topics import apply_topics, desired_topics
from govbus.land import land
from govbus.project import load_project

REPO = Path(__file__).resolve().parents[3]


def under_contract(project, kafka_settings):
    """``project`` with the address-changes contract (AGR-2026-014) covering its ``moves`` topic."""
    contract = (REPO / "contracts" / "population-address-changes.yaml").read_text()
    (project.root / "contracts").mkdir(exist_ok=True)
    (project.root / "contracts" / "moves.yaml").write_text(contract.replace("topic: population.person.address_changed", f"topic: {project.moves}"))
    governed = load_project(project.root)
    apply_topics(desired_topics(governed), kafka_settings)
    governed.moves = project.moves
    return governed


def test_the_contract_gate_holds_a_breach_per_record_and_the_batch_is_audited(land_project, fresh_store, kafka_settings, read_topic, resident):
    project = under_contract(land_project, kafka_settings)
    # Published without the publisher's checks, as a producer that skipped them would.
    changes = [move(resident(1)), move(resident(2), postcode="ABC"), move(resident(3))]
    publish(project, project.moves, changes, kafka_settings)

    receipt = land(project, fresh_store, [project.moves], settings=kafka_settings, idle_timeout_s=1, contract_gate=True, consumer="tax")

    assert (receipt.consumed, receipt.landed, receipt.quarantined, receipt.dead_lettered, receipt.balanced) == (3, 2, 1, 0, True)
    assert sorted(rows(fresh_store, project.moves)) == sorted(resident(n)["national_id"] for n in (1, 3))
    held = [QuarantineNote.from_kafka(m.headers) for m in read_topic(kafka_settings, quarantine_topic(project.moves))]
    assert [(note.agreement, note.clause, note.field) for note in held] == [("AGR-2026-014", "3.2", "postcode")]
    audited = entries(fresh_store, kind="consume")
    assert [(e.actor, e.agreement_ref, e.subject_count) for e in audited] == [("tax", "AGR-2026-014", 2)]
    details = json.loads(audited[0].details)
    assert (details["topic"], details["provider"], details["events"]) == (project.moves, "population", 2)


def test_landing_without_a_gate_or_consumer_lands_every_record_and_audits_nothing(land_project, fresh_store, kafka_settings, resident):
    project = under_contract(land_project, kafka_settings)
    publish(project, project.moves, [move(resident(1)), move(resident(2), postcode="ABC")], kafka_settings)

    receipt = land(project, fresh_store, [project.moves], settings=kafka_settings, idle_timeout_s=1)

    assert (receipt.landed, receipt.quarantined, receipt.balanced) == (2, 0, True)
    assert entries(fresh_store, kind="consume") == []

