"""Golden records with stable ids from landed agency records, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from conftest import land
from sqlalchemy import select

from govbus.registry.golden import provenance
from govbus.registry.run import run_full, run_incremental
from govbus.registry.state import linked_records
from govbus.registry.tables import person, reconcile_audit

FIRST = ["population", "tax", "social", "municipality"]


def _people(store) -> dict[str, dict]:
    with store.begin() as connection:
        return {row.person_id: row._asdict() for row in connection.execute(select(person))}


def test_first_run_builds_golden_records_with_provenance(fresh_store, registry_project, small_country):
    for source in FIRST:
        land(registry_project, fresh_store, source, small_country.sources[source])

    receipt = run_incremental(registry_project, fresh_store)

    records = sum(len(small_country.sources[s]) for s in FIRST)
    assert receipt.mode == "full" and receipt.records == records == receipt.new_records
    people = _people(fresh_store)
    truth_people = small_country.truth_frame().query("source in @FIRST")["person_id"].nunique()
    # Linkage is good but not perfect; the count of people must be near the truth, not the record count.
    assert abs(len(people) - truth_people) <= truth_people * 0.05
    with fresh_store.begin() as connection:
        links = linked_records(connection)
        some = links[f"population:{small_country.sources['population']['national_id'].iloc[0]}"]
        held = provenance(connection, some)
    assert len(links) == records
    golden = people[some]["golden"]
    # The Population Register is authoritative for identity and address: its values win.
    for attribute in ("family_name", "date_of_birth", "postcode"):
        assert golden[attribute]["source"] == "population"
    assert {row["source"] for row in held} >= {"population"}
    assert all(row["value"] for row in held)


def test_ids_survive_new_records_and_a_full_relink(fresh_store, registry_project, small_country):
    for source in FIRST:
        land(registry_project, fresh_store, source, small_country.sources[source])
    run_incremental(registry_project, fresh_store)
    with fresh_store.begin() as connection:
        before = linked_records(connection)
    first_ids = set(_people(fresh_store))

    later = datetime.now(timezone.utc) + timedelta(minutes=1)
    land(registry_project, fresh_store, "post", small_country.sources["post"], later)
    receipt = run_incremental(registry_project, fresh_store)
    assert receipt.mode == "incremental" and receipt.new_records == len(small_country.sources["post"])
    with fresh_store.begin() as connection:
        after = linked_records(connection)
    people = _people(fresh_store)
    assert _kept(before, after, people) >= 0.99
    # New people get new ids; no id is ever handed out twice.
    assert receipt.people_created == len(set(people) - first_ids)

    full = run_full(registry_project, fresh_store)
    assert full.mode == "full"
    with fresh_store.begin() as connection:
        relinked = linked_records(connection)
    assert _kept(after, relinked, _people(fresh_store)) >= 0.98


def _kept(before: dict[str, str], after: dict[str, str], people: dict[str, dict]) -> float:
    """Share of records whose person is the same (or the person it was merged into)."""
    same = sum(1 for uid, pid in before.items() if after[uid] in (pid, people[pid]["merged_into"]))
    return same / len(before)


def test_merges_are_audited(fresh_store, registry_project, small_country):
    land(registry_project, fresh_store, "tax", small_country.sources["tax"])
    land(registry_project, fresh_store, "social", small_country.sources["social"])
    run_incremental(registry_project, fresh_store)
    land(registry_project, fresh_store, "population", small_country.sources["population"])
    receipt = run_incremental(registry_project, fresh_store)
    people = _people(fresh_store)
    retired = {pid: row["merged_into"] for pid, row in people.items() if row["merged_into"]}
    assert receipt.people_merged == len(retired)
    with fresh_store.begin() as connection:
        audit = connection.execute(select(reconcile_audit).where(reconcile_audit.c.action == "merge")).all()
        links = linked_records(connection)
    assert sum(len(row.before) - 1 for row in audit) == len(retired)
    # A retired id is never anyone's current person.
    assert not set(retired) & set(links.values())
