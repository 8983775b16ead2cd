"""Retirement: refused without approval or under legal hold; with approval archived, verified, replaced, announced; restored exactly."""

from __future__ import annotations

import json

import fastavro
import pytest
import yaml
from sqlalchemy import inspect
from conftest import MOVED, TAXPAYERS

from govbus import audit
from govbus.bus.topics import apply_topics, desired_topics
from govbus.codec import decode
from govbus.holdings import RetirementRefused, approve, plan_all, restore, retire, scan_all
from govbus.holdings.agency import table_state
from govbus.holdings.archive import MANIFEST, ordered_rows
from govbus.holdings.retire import RETIRED, archive_folder
from govbus.holdings.verify import table_digest
from govbus.registry.events import registry_publisher, topic_for
from govbus.store import Store


@pytest.fixture
def proposed(holdings_project, fresh_store, tax_holding) -> str:
    scan_all(holdings_project, fresh_store)
    return plan_all(holdings_project, fresh_store).plans[0].plan_id


def test_retiring_without_an_approval_is_refused_and_changes_nothing(holdings_project, fresh_store, agency_url, proposed):
    with pytest.raises(RetirementRefused, match=f"plan {proposed} has no recorded approval.*govbus holdings approve"):
        retire(holdings_project, fresh_store, proposed, execute=True)

    with Store(agency_url).begin() as connection:
        assert table_state(connection, "tax_taxpayer_address") == "table"


def test_a_legal_hold_set_after_approval_still_refuses_the_retirement(holdings_project, fresh_store, agency_url, proposed):
    approve(holdings_project, fresh_store, proposed, by="anna.steward", reason="registry covers the addresses")
    path = holdings_project.contracts_dir / "holdings" / "catalogue.yaml"
    catalogue = yaml.safe_load(path.read_text())
    catalogue["holdings"]["tax_taxpayer_address"]["legal_hold"] = True
    path.write_text(yaml.safe_dump(catalogue))

    with pytest.raises(RetirementRefused, match="under legal hold"):
        retire(holdings_project, fresh_store, proposed, execute=True)
    with Store(agency_url).begin() as connection:
        assert table_state(connection, "tax_taxpayer_address") == "table"


def test_approving_needs_who_and_why_and_a_candidate(holdings_project, fresh_store, proposed):
    with pytest.raises(RetirementRefused, match="--by.*--reason"):
        approve(holdings_project, fresh_store, proposed, by="", reason="")

    approved = approve(holdings_project, fresh_store, proposed, by="anna.steward", reason="covered by AGR-2026-014")
    assert approved.status == "approved"
    assert approved.approval["approved_by"] == "anna.steward" and approved.approval["reason"] == "covered by AGR-2026-014"
    assert approved.approval["approved_at"]
    with pytest.raises(RetirementRefused, match="is approved, only a proposed plan"):
        approve(holdings_project, fresh_store, proposed, by="bo.steward", reason="twice")


def test_a_dry_run_lists_the_steps_and_touches_nothing(holdings_project, fresh_store, agency_url, proposed):
    approve(holdings_project, fresh_store, proposed, by="anna.steward", reason="redundant")

    outcome = retire(holdings_project, fresh_store, proposed)

    assert outcome.executed is False
    assert outcome.would_do == ["archived", "verified", "replaced", "dropped", "announced"]
    assert not archive_folder(holdings_project, proposed, _holding(holdings_project)).exists()
    with Store(agency_url).begin() as connection:
        assert table_state(connection, "tax_taxpayer_address") == "table"


def test_an_approved_retirement_archives_verifies_replaces_announces_and_restores_exactly(
        holdings_project, fresh_store, agency_url, proposed, kafka_settings, read_topic):
    apply_topics([t for t in desired_topics(holdings_project) if t.name.startswith(RETIRED)], kafka_settings)
    agency = Store(agency_url)
    with agency.begin() as connection:
        layout = {"table": "tax_taxpayer_address", "order_by": ["tax_id"],
                  "columns": [{"name": n, "avro": "string"} for n in ("tax_id", "street", "postcode", "city")]}
        original = table_digest(ordered_rows(connection, layout))
    approve(holdings_project, fresh_store, proposed, by="anna.steward", reason="covered by AGR-2026-014")

    with registry_publisher(holdings_project, kafka_settings) as publisher:
        outcome = retire(holdings_project, fresh_store, proposed, execute=True, publisher=publisher)

    assert outcome.steps_done == ["archived", "verified", "replaced", "dropped", "announced"]
    manifest = outcome.manifest
    assert (manifest["rows"], manifest["content_sha256"]) == original
    folder = archive_folder(holdings_project, proposed, _holding(holdings_project))
    assert (folder / MANIFEST).exists() and [f["rows"] for f in manifest["files"]] == [8, 8, 4]
    with (folder / "part-00000.avro").open("rb") as part:
        reader = fastavro.reader(part)
        assert reader.codec == "deflate"
        assert [f["name"] for f in reader.writer_schema["fields"]] == ["tax_id", "street", "postcode", "city"]
        assert next(reader) == TAXPAYERS[0]
    # The old query still works; it now reads the golden record, so the moved taxpayer's new street shows.
    moved, street = next(iter(MOVED.items()))
    marker = "?" if fresh_store.dialect == "sqlite" else "%s"
    with agency.begin() as connection:
        assert table_state(connection, "tax_taxpayer_address") == "view"
        row = connection.exec_driver_sql(f"SELECT street, postcode FROM tax_taxpayer_address WHERE tax_id = {marker}", (moved,)).one()
        assert tuple(row) == (street.lower(), next(t["postcode"] for t in TAXPAYERS if t["tax_id"] == moved))
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM tax_taxpayer_address").scalar() == 18
    (message,) = read_topic(kafka_settings, topic_for(holdings_project, RETIRED))
    event = decode(message.value, holdings_project.registry).record
    assert (event["plan_id"], event["rows"], event["approved_by"]) == (proposed, 20, "anna.steward")
    acts = [json.loads(e.details)["act"] for e in audit.entries(fresh_store, kind="retire")]
    assert acts == ["approve", "retire"]

    rerun = retire(holdings_project, fresh_store, proposed, execute=True)
    assert rerun.steps_done == [], "a finished retirement is not done again"

    restored = restore(holdings_project, fresh_store, "tax_taxpayer_address", by="anna.steward", reason="audit request")
    assert restored.step == "restored"
    with agency.begin() as connection:
        assert table_state(connection, "tax_taxpayer_address") == "table"
        assert table_digest(ordered_rows(connection, layout)) == original
        assert "ix_tax_address_postcode" in {i["name"] for i in inspect(connection).get_indexes("tax_taxpayer_address")}


def _holding(project):
    from govbus.holdings import load_catalogue

    return load_catalogue(project).holding("tax_taxpayer_address")
