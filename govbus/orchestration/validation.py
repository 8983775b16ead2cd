"""Contract validation for the DAGs: each landed batch as it lands, every landed table on a schedule.

Outcomes are data. A task reports them (store history, agreement report, Data Docs) and returns
a summary; whether a breach fails the run is the DAG's choice, never an exception in here.
"""

from __future__ import annotations

from sqlalchemy import inspect

from govbus.contracts.loader import contracts_in
from govbus.contracts.model import Contract
from govbus.land import landed_table_name
from govbus.orchestration.landing import LandedBatch, batch_rows
from govbus.project import Project
from govbus.reports.build import build_agreement_report
from govbus.reports.paths import data_docs_dir
from govbus.store import Store

BREACHES = {"failed", "error"}


def validate_batch_of(project: Project, store: Store, batch: LandedBatch) -> list[dict]:
    """Validate the rows each topic landed in ``batch`` against the topic's contract."""
    contracts = _by_topic(project)
    described = {
        topic: (rows, f"{landed_table_name(topic)} offsets {ranges}")
        for topic, ranges in sorted(batch.offsets.items())
        if topic in contracts and not (rows := batch_rows(store, topic, ranges)).empty
    }
    return _validate(project, store, contracts, described)


def validate_landed_tables(project: Project, store: Store) -> dict:
    """Validate every landed table that has a contract, as a whole: freshness is about the newest event.

    A contract whose topic has landed nothing yet is listed under ``awaiting_data``, not validated:
    there is no delivery to judge, and an empty feed is visible in the agreement report.
    """
    contracts = _by_topic(project)
    with store.begin() as connection:
        present = set(inspect(connection).get_table_names())
    rows = {topic: batch_rows(store, topic) for topic in sorted(contracts) if landed_table_name(topic) in present}
    described = {topic: (frame, f"table {landed_table_name(topic)}") for topic, frame in rows.items() if not frame.empty}
    awaiting = sorted(contract.id for topic, contract in contracts.items() if topic not in described)
    return {"validated": _validate(project, store, contracts, described), "awaiting_data": awaiting}


def publish_reports(project: Project, store: Store) -> dict[str, str]:
    """Rebuild the Data Docs and the agreement report; returns where they are."""
    from govbus.contracts.gx_context import build_data_docs

    build_data_docs(project)
    report = build_agreement_report(project, store)
    return {"agreement_report": str(report), "data_docs": str(data_docs_dir(project) / "index.html")}


def breaches(outcomes: list[dict]) -> list[dict]:
    """The outcomes whose contract was broken (failed) or could not be checked (error)."""
    return [outcome for outcome in outcomes if outcome["status"] in BREACHES]


def describe_breach(outcome: dict) -> str:
    """One line an operator can act on: agreement, contract, and each broken rule with its evidence."""
    rules = "; ".join(
        f"clause {rule['clause']} {rule['status']}: {rule['field'] + ' ' if rule['field'] else ''}{rule['detail']} ({_evidence(rule)})"
        for rule in outcome["broken_rules"]
        if rule["status"] in BREACHES
    )
    return f"{outcome['agreement']} {outcome['contract']} on {outcome['batch']}: {rules or 'see Data Docs'}"


def _evidence(rule: dict) -> str:
    if rule["message"]:
        return f"could not check: {rule['message']}"
    if rule["failing_count"]:
        return f"{rule['failing_count']} failing, e.g. {', '.join(rule['sample_values'][:3]) or '-'}"
    return f"observed {rule['observed']}"


def _validate(project: Project, store: Store, contracts: dict[str, Contract], described: dict) -> list[dict]:
    # Great Expectations takes seconds to import: only tasks that validate pay for it.
    from govbus.contracts.batches import FrameBatch
    from govbus.contracts.history import record_run
    from govbus.contracts.validate import validate_batch

    outcomes = []
    for topic, (rows, description) in described.items():
        run = validate_batch(project, contracts[topic], FrameBatch(rows, description))
        record_run(store, run)
        summary = run.to_dict()
        # Only what broke travels on (XCom, logs); the full results are in the store and Data Docs.
        summary["broken_rules"] = [rule for rule in summary.pop("rules") if rule["status"] != "passed"]
        outcomes.append(summary)
    return outcomes


def _by_topic(project: Project) -> dict[str, Contract]:
    return {contract.dataset.topic: contract for contract in contracts_in(project.contracts_dir)}

