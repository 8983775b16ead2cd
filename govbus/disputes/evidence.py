"""The evidence bundle of a dispute: what failed, the validation results, and the audit entries.

Its SHA-256 goes into the audit entry that records the opening, so the bundle cannot be changed
afterwards without the chain showing it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from govbus.audit.chain import canonical_json
from govbus.audit.log import entries_under
from govbus.contracts.results import Status
from govbus.disputes.breaches import BreachTally
from govbus.store import Store

AUDIT_ENTRIES = 50


def evidence_bundle(store: Store, tally: BreachTally) -> dict[str, Any]:
    agreement = tally.contract.agreement
    samples = [
        {
            "run_id": run.run_id,
            "batch": run.batch,
            "clause": rule.clause,
            "clause_text": agreement.clauses.get(rule.clause, ""),
            "field": rule.field,
            "rule": rule.rule,
            "failing_count": rule.failing_count,
            "sample_values": list(rule.sample_values),
        }
        for run in tally.failed_runs
        for rule in run.rules
        if rule.status is Status.failed
    ]
    return {
        "agreement": agreement.ref,
        "contract": tally.contract.id,
        "tolerance": tally.tolerance,
        "breach_share": round(tally.share, 6),
        "rows": tally.rows,
        "failing_rows": tally.failing_rows,
        "failing_samples": samples,
        "validation_runs": [run.to_dict() for run in tally.failed_runs],
        "audit_entries": [entry.to_dict() for entry in entries_under(store, agreement.ref, AUDIT_ENTRIES)],
    }


def digest(bundle: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(bundle).encode()).hexdigest()
