"""Uncertain pairs reach the steward, and the steward's decisions stick on the next runs."""

from __future__ import annotations

from conftest import land
from sqlalchemy import select

from govbus.registry.review import decide, review_pair_detail, review_pairs
from govbus.registry.run import run_full, run_incremental
from govbus.registry.state import linked_records
from govbus.registry.tables import person, reconcile_audit

SOURCES = ["population", "tax", "social"]


def test_decisions_stick(fresh_store, registry_project, small_country, reconcile_dir):
    # The model is near certain about this small country's pairs; a stricter bar leaves some for the steward.
    folder = reconcile_dir(review=0.99, auto_merge=0.9999999)
    for source in SOURCES:
        land(registry_project, fresh_store, source, small_country.sources[source])
    receipt = run_incremental(registry_project, fresh_store, reconcile_dir=folder)

    queued = review_pairs(fresh_store)
    assert receipt.review_pairs_added == len(queued) > 0
    apart = [review_pair_detail(fresh_store, p["pair_id"]) for p in queued]
    apart = [p for p in apart if p["person_l"] != p["person_r"]]
    assert len(apart) >= 2, "need two pairs held apart to accept one and reject another"
    accepted, rejected = apart[0], apart[1]
    decide(fresh_store, accepted["pair_id"], "accepted", by="steward.anna", reason="same passport photo")
    decide(fresh_store, rejected["pair_id"], "rejected", by="steward.anna", reason="twins")

    again = run_incremental(registry_project, fresh_store, reconcile_dir=folder)
    assert again.people_merged >= 1 and again.review_pairs_added == 0
    assert [p["pair_id"] for p in review_pairs(fresh_store)] == [p["pair_id"] for p in queued if p["pair_id"] not in (accepted["pair_id"], rejected["pair_id"])]

    # Even a full re-link at the shipped thresholds, where the model alone would merge both, keeps the decisions.
    run_full(registry_project, fresh_store, reconcile_dir=reconcile_dir(review=0.9, auto_merge=0.999))
    with fresh_store.begin() as connection:
        links = linked_records(connection)
        retired = dict(connection.execute(select(person.c.person_id, person.c.merged_into).where(person.c.merged_into.is_not(None))).all())
        merges = connection.execute(select(reconcile_audit).where(reconcile_audit.c.action == "merge")).all()
    assert links[accepted["unique_id_l"]] == links[accepted["unique_id_r"]]
    assert links[rejected["unique_id_l"]] != links[rejected["unique_id_r"]]
    kept = sorted([accepted["person_l"], accepted["person_r"]])
    assert retired.get(kept[1]) == kept[0] or links[accepted["unique_id_l"]] != kept[1]
    assert merges and all(row.before and row.after for row in merges)
