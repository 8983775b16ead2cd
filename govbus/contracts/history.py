"""Validation history in the store: every run is kept; reports read only the recent window."""

from __future__ import annotations

from dataclasses import fields
from datetime import timezone

from sqlalchemy import func, insert, select

from govbus.contracts.results import RuleResult, Status, ValidationRun
from govbus.contracts.tables import contract_rule_result, contract_validation_run
from govbus.store import Store


def record_run(store: Store, run: ValidationRun) -> None:
    """Keep one validation and its rule results, in one transaction."""
    with store.begin() as connection:
        connection.execute(
            insert(contract_validation_run).values(
                run_id=run.run_id,
                contract_id=run.contract,
                contract_version=run.contract_version,
                agreement_ref=run.agreement,
                topic=run.topic,
                batch=run.batch,
                started_at=run.started_at,
                seconds=run.seconds,
                row_count=run.row_count,
                status=run.status.value,
                data_docs=run.data_docs,
            )
        )
        if run.rules:
            connection.execute(
                insert(contract_rule_result),
                [{**_rule_row(rule), "run_id": run.run_id, "position": index} for index, rule in enumerate(run.rules)],
            )


def _rule_row(rule: RuleResult) -> dict:
    row = rule.to_dict()
    row["agreement_ref"] = row.pop("agreement")
    return row


def recent_runs(store: Store, per_contract: int = 30) -> list[ValidationRun]:
    """The newest ``per_contract`` runs of each contract, newest first, with their rule results.

    However many thousands of runs the store holds, a report reads only this window.
    """
    ranked = select(
        contract_validation_run,
        func.row_number().over(partition_by=contract_validation_run.c.contract_id, order_by=contract_validation_run.c.started_at.desc()).label("rank"),
    ).subquery()
    with store.begin() as connection:
        runs = connection.execute(select(ranked).where(ranked.c.rank <= per_contract).order_by(ranked.c.started_at.desc())).mappings().all()
        ids = [row["run_id"] for row in runs]
        rules: dict[str, list[RuleResult]] = {run_id: [] for run_id in ids}
        if ids:
            query = select(contract_rule_result).where(contract_rule_result.c.run_id.in_(ids)).order_by(contract_rule_result.c.position)
            for row in connection.execute(query).mappings():
                rules[row["run_id"]].append(_rule_result(row))
    return [_run(row, rules[row["run_id"]]) for row in runs]


def run_totals(store: Store) -> dict[str, int]:
    """How many validations each contract has had in all."""
    query = select(contract_validation_run.c.contract_id, func.count()).group_by(contract_validation_run.c.contract_id)
    with store.begin() as connection:
        return {contract: count for contract, count in connection.execute(query)}


def _rule_result(row) -> RuleResult:
    shared = {f.name: row[f.name] for f in fields(RuleResult) if f.name in row}
    return RuleResult(
        **{**shared, "agreement": row["agreement_ref"], "status": Status(row["status"]), "sample_values": tuple(row["sample_values"] or ())}
    )


def _run(row, rules: list[RuleResult]) -> ValidationRun:
    shared = {f.name: row[f.name] for f in fields(ValidationRun) if f.name in row}
    started = row["started_at"]
    # SQLite hands times back without their zone; they were written in UTC.
    if started.tzinfo is None:
        started = started.replace(tzinfo=timezone.utc)
    return ValidationRun(
        **{**shared, "contract": row["contract_id"], "agreement": row["agreement_ref"], "started_at": started, "rules": rules}
    )
