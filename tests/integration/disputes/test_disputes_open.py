"""A breach past the agreement's tolerance opens a dispute with its evidence and clock."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pandas as pd

from govbus.audit import record, verify_chain
from govbus.contracts.batches import FrameBatch
from govbus.contracts.history import record_run
from govbus.contracts.loader import load_contracts
from govbus.contracts.validate import validate_batch
from govbus.disputes.clock import add_working_days

BAD_POSTCODES = ["1112", "ABCDE", "99", "1234567", "12 34"]


def address_changes(count: int, bad: list[str]) -> pd.DataFrame:
    now = datetime.now(timezone.utc)
    rows = [
        {
            "national_id": f"19800101-{n:04d}",
            "street": f"Storgatan {n}",
            "postcode": bad[n] if n < len(bad) else "11122",
            "city": "Norrvik",
            "moved_on": "2026-03-01",
            "occurred_at": (now - timedelta(minutes=5)).isoformat(),
        }
        for n in range(count)
    ]
    return pd.DataFrame(rows)


def test_postcodes_past_the_tolerance_open_one_dispute_against_the_register(fresh_store, demo_project, govbus_cli, monkeypatch):
    project = demo_project()
    monkeypatch.setenv("GOVBUS_STORE_URL", fresh_store.url)
    contract = next(c for c in load_contracts(project.contracts_dir) if c.id == "population-address-changes")
    publish = record(fresh_store, "publish", "population", ["19800101-0000"], contract.agreement.ref, {"sent": 100})
    run = validate_batch(project, contract, FrameBatch(address_changes(100, BAD_POSTCODES), "address changes 2026-03-02"))
    record_run(fresh_store, run)
    assert run.status.value == "failed"

    checked = govbus_cli("--project", project.root, "disputes", "check", "--json")
    assert checked.exit_code == 0, checked.output
    outcomes = {c["contract"]: c for c in json.loads(checked.stdout)}
    opened = outcomes["population-address-changes"]
    assert (opened["outcome"], opened["dispute"], opened["breach_share"]) == ("opened", "DSP-0001", 0.05)
    assert opened["tolerance"] == 0.005
    assert {c["outcome"] for name, c in outcomes.items() if name != "population-address-changes"} == {"no_runs"}

    shown = govbus_cli("--project", project.root, "disputes", "show", "DSP-0001", "--json")
    dispute = json.loads(shown.stdout)
    assert (dispute["counterparty"], dispute["raised_for"], dispute["body"]) == ("population", ["social", "tax"], "Data Sharing Board")
    opened_at = datetime.fromisoformat(dispute["opened_at"])
    assert datetime.fromisoformat(dispute["due_at"]) == add_working_days(opened_at, 10)
    evidence = dispute["evidence"]
    failing = [s for s in evidence["failing_samples"] if s["field"] == "postcode"]
    assert failing and set(failing[0]["sample_values"]) <= set(BAD_POSTCODES) and failing[0]["failing_count"] == 5
    assert failing[0]["clause"] == "3.2" and "deliverable address" in failing[0]["clause_text"]
    assert [r["run_id"] for r in evidence["validation_runs"]] == [run.run_id]
    assert publish.entry_hash in [e["entry_hash"] for e in evidence["audit_entries"]]
    assert dispute["evidence_intact"] and dispute["breached_clauses"] == ["3.2"]

    again = json.loads(govbus_cli("--project", project.root, "disputes", "check", "--json").stdout)
    assert {c["outcome"] for c in again if c["contract"] == "population-address-changes"} == {"no_runs"}  # its runs are evidence now
    record_run(fresh_store, validate_batch(project, contract, FrameBatch(address_changes(100, BAD_POSTCODES), "next day")))
    third = json.loads(govbus_cli("--project", project.root, "disputes", "check", "--json").stdout)
    assert [(c["outcome"], c["dispute"]) for c in third if c["contract"] == "population-address-changes"] == [("already_open", "DSP-0001")]

    resolved = govbus_cli("--project", project.root, "disputes", "resolve", "DSP-0001", "--by", "Data Sharing Board", "--resolution", "Register fixed its postcode export")
    assert resolved.exit_code == 0, resolved.output
    listed = json.loads(govbus_cli("--project", project.root, "disputes", "list", "--all", "--json").stdout)
    assert [(d["code"], d["status"], d["resolved_by"]) for d in listed] == [("DSP-0001", "resolved", "Data Sharing Board")]
    assert govbus_cli("--project", project.root, "disputes", "resolve", "1", "--by", "x", "--resolution", "y").exit_code != 0
    report = verify_chain(fresh_store)
    assert report.intact and report.checked == 3  # the publish, the opening, the resolution
    logged = json.loads(govbus_cli("--project", project.root, "audit", "log", "--kind", "dispute", "--json").stdout)
    assert [(e["details"]["dispute"], e["details"]["action"]) for e in logged] == [("DSP-0001", "opened"), ("DSP-0001", "resolved")]
    assert logged[0]["details"]["evidence_digest"] == dispute["evidence_digest"]
