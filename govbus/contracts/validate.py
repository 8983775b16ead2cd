"""Validate a landed batch against its contract with a GX Checkpoint that updates the Data Docs."""

from __future__ import annotations

import math
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import great_expectations as gx
from great_expectations.checkpoint import UpdateDataDocsAction
from great_expectations.core.run_identifier import RunIdentifier

from govbus.contracts.batches import FrameBatch, TableBatch
from govbus.contracts.gx_context import SITE, open_context
from govbus.contracts.model import Contract
from govbus.contracts.results import RuleResult, Status, ValidationRun
from govbus.contracts.suite import build_suite, plan
from govbus.project import Project
from govbus.reports.paths import reports_dir

# Enough sample values for a steward to see the pattern, few enough to keep results small.
SAMPLE_SIZE = 5
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}


def validate_batch(project: Project, contract: Contract, batch: FrameBatch | TableBatch, *, now: datetime | None = None) -> ValidationRun:
    """Run the contract's suite over ``batch``; Data Docs are updated by the checkpoint's action."""
    now = now or datetime.now(timezone.utc)
    started = time.perf_counter()
    context = open_context(project)
    freshness = contract.agreement.service_levels.freshness
    batch = batch.prepared(freshness.column if freshness else None)
    naive = bool(freshness) and batch.naive_timestamps(freshness.column)
    suite = context.suites.add_or_update(build_suite(contract, plan(contract, now, naive_timestamps=naive)))
    asset_name = contract.id if isinstance(batch, FrameBatch) else f"{contract.id}.{batch.table}"
    definition = batch.definition(context, asset_name)
    validation = context.validation_definitions.add_or_update(gx.ValidationDefinition(name=asset_name, data=definition, suite=suite))
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=contract.id,
            validation_definitions=[validation],
            actions=[UpdateDataDocsAction(name="update_data_docs", site_names=[SITE])],
            result_format=RESULT_FORMAT,
        )
    )
    run_id = uuid.uuid4().hex
    outcome = checkpoint.run(batch_parameters=batch.parameters, run_id=RunIdentifier(run_name=run_id, run_time=now))
    identifier, suite_result = next(iter(outcome.run_results.items()))
    rules = read_results(suite_result.results)
    return ValidationRun(
        run_id=run_id,
        contract=contract.id,
        contract_version=contract.version,
        agreement=contract.agreement.ref,
        topic=contract.dataset.topic,
        batch=batch.description,
        started_at=now,
        seconds=time.perf_counter() - started,
        row_count=_row_count(suite_result.results),
        rules=rules,
        clause_texts=dict(contract.agreement.clauses),
        data_docs=_docs_page(context, identifier, reports_dir(project)),
    )


def read_results(results: list[Any]) -> list[RuleResult]:
    """GX expectation results as ``RuleResult``s, in the order the contract planned them."""
    read = []
    for result in results:
        meta = result.expectation_config.meta
        read += [(m["position"], _rule_result(result, m)) for m in (meta, *meta.get("also", []))]
    return [rule for _, rule in sorted(read, key=lambda pair: pair[0])]


def _rule_result(result: Any, meta: dict[str, Any]) -> RuleResult:
    details = result.result or {}
    error = _exception_message(result.exception_info)
    if error:
        status = Status.error
    elif result.success:
        status = Status.passed
    else:
        status = Status.warning if meta.get("action") == "warn" else Status.failed
    observed = details.get("observed_value")
    return RuleResult(
        agreement=meta["agreement"],
        clause=meta["clause"],
        field=meta.get("field"),
        rule=meta["rule"],
        detail=meta.get("detail", ""),
        expectation=result.expectation_config.type,
        status=status,
        element_count=details.get("element_count"),
        failing_count=details.get("unexpected_count"),
        failing_percent=details.get("unexpected_percent"),
        observed=None if observed is None else _shown(observed),
        sample_values=tuple(_shown(v) for v in details.get("partial_unexpected_list", [])[:SAMPLE_SIZE]),
        message=error,
    )


def _exception_message(info: Any) -> str | None:
    """GX reports a failed expectation flat, and a failed metric nested under the metric's id."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    nested = [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    return str(nested[0].get("exception_message")) if nested else None


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "null"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)[:80]


def _row_count(results: list[Any]) -> int | None:
    for result in results:
        details = result.result or {}
        if result.expectation_config.type == "expect_table_row_count_to_be_between" and "observed_value" in details:
            return int(details["observed_value"])
    counts = [(r.result or {}).get("element_count") for r in results]
    return next((int(c) for c in counts if c is not None), None)


def _docs_page(context, identifier, base: Path) -> str | None:
    """The Data Docs page of this validation, relative to the reports folder."""
    for site in context.get_docs_sites_urls(resource_identifier=identifier, site_names=[SITE]):
        url = site.get("site_url") or ""
        if url.startswith("file://"):
            return Path(url.removeprefix("file://")).resolve().relative_to(base.resolve()).as_posix()
    return None
