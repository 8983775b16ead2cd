"""Quarantine instead of loss, on a real broker: held with their clause, released or rejected, counted."""

from __future__ import annotations

import json

import pytest
import typer
from contract_services import copy_project
from typer.testing import CliRunner

from govbus.bus.publisher import Publisher
from govbus.bus.quarantine import quarantine_topic
from govbus.bus.subscriber import Subscriber
from govbus.bus.topics import apply_topics, desired_topics
from govbus.cli import audit as audit_cli
from govbus.cli import quarantine as quarantine_cli
from govbus.cli.context import CliState
from govbus.contracts import checks_for
from govbus.contracts.consume import ConsumeGate
from govbus.contracts.quarantine import RELEASED_HEADER, Quarantine
from govbus.errors import ConfigurationError
from govbus.store import Store


def notice(number: int, **changes) -> dict:
    record = {
        "notice_id": f"N-{number:06d}",
        "full_name": "Anna Berg",
        "date_of_birth": "1980-01-02",
        "old_street": "Storgatan 1",
        "old_postcode": "11122",
        "street": "Kyrkvägen 7",
        "postcode": "22233",
        "city": "Norrvik",
        "effective_on": "2026-07-01",
    }
    return {**record, **changes}


@pytest.fixture
def notices_project(tmp_path, unique_topic, kafka_settings, sqlite_store, monkeypatch):
    """The demo project with the postal notices on a topic of this test's own, provisioned from the contracts."""
    topic = unique_topic("notices")
    project = copy_project(tmp_path / "project", {"post.address.change_notified": topic})
    contract = project.contracts_dir / "post-change-of-address.yaml"
    # The forwarding date is a reject rule here, so one run shows all three outcomes.
    contract.write_text(contract.read_text().replace('        clause: "3.5"\n', '        clause: "3.5"\n        on_violation: reject\n'))
    monkeypatch.setenv("GOVBUS_STORE_URL", sqlite_store.url)
    apply_topics([s for s in desired_topics(project) if s.name.startswith(topic)], kafka_settings)
    project.notices = topic
    return project


def read_back(project, topic, settings) -> list:
    with Subscriber(project, [topic], group_id=None, settings=settings) as subscriber:
        return list(subscriber.events(idle_timeout_s=2))


def test_held_events_carry_their_clause_and_the_counts_reconcile(notices_project, kafka_settings, sqlite_store):
    project, topic = notices_project, notices_project.notices
    records = [notice(1), notice(2, postcode="2223"), notice(3), notice(4, old_postcode="1"), notice(5, effective_on="soon"), notice(6)]
    with Publisher(project, kafka_settings, checks=checks_for(project)) as publisher:
        receipt = publisher.publish(topic, records)
    # published = accepted + quarantined + rejected
    assert (receipt.read, receipt.sent, receipt.quarantined, receipt.rejected) == (6, 3, 2, 1)
    assert receipt.balanced and receipt.breaches == {"AGR-2026-031 3.3 regex": 2}
    assert receipt.rejections[0].field == "effective_on" and receipt.rejections[0].dead_lettered

    quarantine = Quarantine(project, topic, sqlite_store, kafka_settings)
    held = quarantine.pending()
    assert [(e.note.agreement, e.note.clause, e.note.field, e.note.value, e.note.stage) for e in held] == [
        ("AGR-2026-031", "3.3", "postcode", "2223", "publish"),
        ("AGR-2026-031", "3.3", "old_postcode", "1", "publish"),
    ]
    assert held[0].record == notice(2, postcode="2223")

    released = quarantine.release([held[0].offset], decided_by="steward-anna", reason="postcode confirmed by phone")
    quarantine.reject([held[1].offset], decided_by="steward-anna", reason="no such postcode")
    landed = read_back(project, topic, kafka_settings)
    assert sorted(e.record["notice_id"] for e in landed) == ["N-000001", "N-000002", "N-000003", "N-000006"]
    again = next(e for e in landed if e.record["notice_id"] == "N-000002")
    # Released unchanged: the same record and the same event id, marked as a steward's release.
    assert again.record == notice(2, postcode="2223")
    assert again.headers["event_id"] == released[0].headers[0][1].decode()
    assert again.headers[RELEASED_HEADER] == f"{quarantine_topic(topic)}:0:{held[0].offset}"

    fresh = Quarantine(project, topic, Store(sqlite_store.url), kafka_settings)
    counts = fresh.counts()
    assert (counts.held, counts.released, counts.rejected, counts.pending) == (2, 1, 1, 0) and counts.balanced
    assert fresh.pending() == []
    with pytest.raises(ConfigurationError, match="no pending event"):
        fresh.release([held[0].offset], decided_by="steward-anna")


def test_a_consumer_holds_what_a_producer_let_through(notices_project, kafka_settings, sqlite_store):
    project, topic = notices_project, notices_project.notices
    with Publisher(project, kafka_settings) as unchecked:
        unchecked.publish(topic, [notice(1), notice(2, postcode="ABCDE"), notice(3)])
    with Subscriber(project, [topic], group_id="landing", settings=kafka_settings) as subscriber, ConsumeGate(subscriber) as gate:
        admitted = [e.record["notice_id"] for e in subscriber.events(idle_timeout_s=2) if gate.admit(e)]
    assert sorted(admitted) == ["N-000001", "N-000003"]
    assert gate.counts == {"admitted": 2, "quarantined": 1}
    held = Quarantine(project, topic, sqlite_store, kafka_settings).pending()
    assert [(e.note.stage, e.note.field, e.note.value, e.record["notice_id"]) for e in held] == [("consume", "postcode", "ABCDE", "N-000002")]
    assert held[0].note.source_offset is not None


def test_stewards_work_the_quarantine_from_the_command_line(notices_project, kafka_settings, tmp_path):
    project, topic = notices_project, notices_project.notices
    with Publisher(project, kafka_settings, checks=checks_for(project)) as publisher:
        publisher.publish(topic, [notice(n, postcode="1") for n in range(3)])
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = CliState(project_dir=project.root)

    app.add_typer(quarantine_cli.app, name="quarantine")
    app.add_typer(audit_cli.app, name="audit")
    runner = CliRunner()
    listed = json.loads(runner.invoke(app, ["quarantine", "list", topic, "--json"]).output)
    assert listed["counts"] == {"held": 3, "released": 0, "rejected": 0, "pending": 3, "balanced": True}
    assert {e["clause"] for e in listed["events"]} == {"3.3"}
    offsets = [str(e["offset"]) for e in listed["events"]]
    assert runner.invoke(app, ["quarantine", "release", topic, "--offset", offsets[0], "--by", "anna"]).exit_code == 0
    rejected = runner.invoke(app, ["quarantine", "reject", topic, "--offset", offsets[1], "--reason", "invented postcode", "--by", "anna"])
    assert rejected.exit_code == 0 and "rejected 1 event(s)" in rejected.output
    shown = runner.invoke(app, ["quarantine", "list", topic])
    assert "held 3 = released 1 + rejected 1 + pending 1" in shown.output

    # Each decision answers for itself in the audit log, under the agreement the events broke.
    keys = [e["key"] for e in listed["events"]]
    for key, decision, reason in ((keys[0], "released", None), (keys[1], "rejected", "invented postcode")):
        trail = json.loads(runner.invoke(app, ["audit", "person", key, "--json"]).output)
        assert [(e["kind"], e["actor"], e["agreement_ref"], e["details"]["decision"], e["details"]["reason"]) for e in trail] == [
            ("quarantine", "anna", "AGR-2026-031", decision, reason)
        ]
    assert json.loads(runner.invoke(app, ["audit", "person", keys[2], "--json"]).output) == []
    verified = runner.invoke(app, ["audit", "verify", "--json"])
    assert verified.exit_code == 0 and json.loads(verified.output)["checked"] == 2
    missing = runner.invoke(app, ["quarantine", "release", topic])
    assert missing.exit_code != 0
