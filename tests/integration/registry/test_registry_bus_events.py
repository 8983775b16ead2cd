"""Merges and reconciled golden records reach the bus, and the CLI shows them to a steward."""

from __future__ import annotations

import json

import typer
from conftest import REPO_ROOT, land
from typer.testing import CliRunner

from govbus.bus.dead_letter import dead_letter_topic
from govbus.bus.topics import apply_topics, desired_topics
from govbus.codec import decode
from govbus.registry.events import MERGED, RECONCILED, registry_publisher, topic_for
from govbus.registry.review import decide, review_pair_detail, review_pairs
from govbus.registry.run import run_incremental
from govbus.store.scratch import scratch_store


def test_merge_and_reconciled_events_on_the_bus(demo_project, kafka_settings, read_topic, small_country, reconcile_dir, tmp_path):
    project = demo_project()
    apply_topics([s for s in desired_topics(project) if s.name.startswith("registry.person.")], kafka_settings)
    folder = reconcile_dir(review=0.99, auto_merge=0.9999999)
    with scratch_store(tmp_path) as store, registry_publisher(project, kafka_settings) as publisher:
        store.migrate()
        for source in ("population", "tax"):
            land(project, store, source, small_country.sources[source])
        first = run_incremental(project, store, publisher=publisher, reconcile_dir=folder)
        pair = next(p for p in map(lambda q: review_pair_detail(store, q["pair_id"]), review_pairs(store)) if p["person_l"] != p["person_r"])
        decide(store, pair["pair_id"], "accepted", by="steward.anna")
        second = run_incremental(project, store, publisher=publisher, reconcile_dir=folder)

    assert first.events_published == first.people_updated > 0
    assert first.events_refused == second.events_refused == 0, "the registry's events keep their contracts"
    merged = [_record(project, MERGED, m) for m in read_topic(kafka_settings, topic_for(project, MERGED))]
    survivor, retired = sorted([pair["person_l"], pair["person_r"]])
    assert [(m["person_id"], m["merged_person_ids"]) for m in merged] == [(survivor, [retired])]
    assert second.people_merged == 1
    reconciled = [_record(project, RECONCILED, m) for m in read_topic(kafka_settings, topic_for(project, RECONCILED))]
    assert len(reconciled) == first.people_updated + second.people_updated
    # Partitions interleave; the second run's events are those with its (later) time.
    latest = max(r["occurred_at"] for r in reconciled)
    after_merge = {r["person_id"]: r for r in reconciled if r["occurred_at"] == latest}
    assert len(after_merge) == second.people_updated
    assert after_merge[survivor]["record_count"] >= 2 and retired not in after_merge


def test_an_event_breaking_its_contract_is_dead_lettered_and_counted(demo_project, kafka_settings, read_topic, small_country, tmp_path):
    project = demo_project()
    contract = project.contracts_dir / "registry-person-reconciled.yaml"
    # A person id pattern no registry id matches: every golden record breaks clause 3.1.
    contract.write_text(contract.read_text().replace("^P\\d{9}$", "^Q\\d{9}$"))
    apply_topics([s for s in desired_topics(project) if s.name.startswith("registry.person.")], kafka_settings)
    with scratch_store(tmp_path) as store, registry_publisher(project, kafka_settings) as publisher:
        store.migrate()
        land(project, store, "population", small_country.sources["population"][:20])
        receipt = run_incremental(project, store, publisher=publisher)

    assert receipt.events_published == 0 and receipt.events_refused == receipt.people_updated > 0
    assert len(read_topic(kafka_settings, dead_letter_topic(topic_for(project, RECONCILED)))) == receipt.people_updated


def _record(project, subject, message) -> dict:
    return decode(message.value, project.registry).record


def test_steward_cli_lists_decides_and_shows_a_person(fresh_store, registry_project, small_country, reconcile_dir, monkeypatch):
    from govbus.cli import registry, review
    from govbus.cli.context import CliState

    land(registry_project, fresh_store, "population", small_country.sources["population"])
    land(registry_project, fresh_store, "social", small_country.sources["social"])
    run_incremental(registry_project, fresh_store, reconcile_dir=reconcile_dir(review=0.99, auto_merge=0.9999999))
    monkeypatch.setattr("govbus.store.Store.for_project", classmethod(lambda cls, project, settings=None: fresh_store))
    app = typer.Typer()
    app.add_typer(review.app, name="review")
    app.add_typer(registry.app, name="registry")
    cli = CliRunner()

    def invoke(*args: str):
        return cli.invoke(app, list(args), obj=CliState(project_dir=REPO_ROOT))

    listed = json.loads(invoke("review", "list", "--json").stdout)
    assert listed, "the wider review band leaves pairs for the steward"
    rejected = invoke("review", "reject", str(listed[0]["pair_id"]), "--by", "anna", "--reason", "twins")
    assert rejected.exit_code == 0 and "rejected by anna: twins" in rejected.stdout
    assert listed[0]["pair_id"] not in [p["pair_id"] for p in json.loads(invoke("review", "list", "--json").stdout)]
    missing = invoke("review", "show", "999999")
    assert missing.exit_code != 0

    someone = review_pair_detail(fresh_store, listed[0]["pair_id"])["person_l"]
    shown = json.loads(invoke("registry", "person", someone, "--json").stdout)
    assert shown["golden"]["date_of_birth"]["source"] == "population"
    assert {p["source"] for p in shown["provenance"]} <= {"population", "social"}
