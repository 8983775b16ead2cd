"""Merges and splits answer for themselves in the audit log: a citizen finds them, the chain holds."""

from __future__ import annotations

import json

from conftest import land

from govbus.audit import entries, entries_about
from govbus.registry.run import run_full, run_incremental

SOURCES = ["population", "tax"]


def test_merges_and_splits_are_in_the_audit_log(fresh_store, demo_project, small_country, reconcile_dir, govbus_cli, monkeypatch):
    project = demo_project()
    for source in SOURCES:
        land(project, fresh_store, source, small_country.sources[source])
    # A lenient first run links loosely; a strict full re-link splits some of those people apart,
    # and going back to the lenient bar merges them again.
    run_incremental(project, fresh_store, reconcile_dir=reconcile_dir(review=0.3, auto_merge=0.5))
    split = run_full(project, fresh_store, reconcile_dir=reconcile_dir(review=0.99, auto_merge=0.9999999))
    merged = run_full(project, fresh_store, reconcile_dir=reconcile_dir(review=0.3, auto_merge=0.5))
    assert split.people_split > 0 and merged.people_merged > 0

    splits, merges = entries(fresh_store, kind="split"), entries(fresh_store, kind="merge")
    assert sum(len(json.loads(e.details)["split_person_ids"]) for e in splits) == split.people_split
    assert sum(len(json.loads(e.details)["merged_person_ids"]) for e in merges) == merged.people_merged
    assert {e.actor for e in splits + merges} == {"reconciler"}
    assert {e.agreement_ref for e in splits} == {"AGR-2026-062"} and {e.agreement_ref for e in merges} == {"AGR-2026-061"}

    # The citizen asks by the id an agency holds; the steward by the govbus person id.
    merge = json.loads(merges[0].details)
    record = next(uid for uids in merge["before"].values() for uid in uids)
    national_or_tax_id = record.split(":", 1)[1]
    assert merges[0].seq in [e.seq for e in entries_about(fresh_store, merge["merged_person_ids"][0])]
    monkeypatch.setenv("GOVBUS_STORE_URL", fresh_store.url)
    shown = govbus_cli("--project", project.root, "audit", "person", national_or_tax_id, "--json")
    assert shown.exit_code == 0, shown.output
    assert "merge" in {entry["kind"] for entry in json.loads(shown.stdout)}

    verified = govbus_cli("--project", project.root, "audit", "verify", "--json")
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["checked"] == len(splits) + len(merges)
