"""``govbus holdings retire``: archive, verify, replace with a view, drop, announce; resumable at each step.

A crash at any point leaves either the original table, or a verified archive plus the view that
replaces it: the rename and the view are one transaction, taken only after the read-back matched,
and inside it the table is locked and its write guard checked, so rows written since the archive
cannot be lost.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import update

from govbus import audit
from govbus.errors import FatalError
from govbus.holdings.agency import reflect, registry_prefix, table_state
from govbus.holdings.approval import RetirementRefused, refusal_for
from govbus.holdings.archive import describe, ordered_rows, write_archive
from govbus.holdings.catalogue import Holding, archive_root, load_catalogue
from govbus.holdings.guard import arm, writes
from govbus.holdings.parallel import read_ahead
from govbus.holdings.plan import load_plan, plans
from govbus.holdings.replacement import view_sql
from govbus.holdings.results import ExecutionResult, RetirementOutcome, RetirementPlan
from govbus.holdings.steps import STEPS, crash_point, record_step, remaining, step_of
from govbus.holdings.tables import retirement_plan
from govbus.holdings.verify import verify_archive
from govbus.project import Project
from govbus.store.engine import Store

RETIRED = "registry.holding.retired"


def retired_name(holding: Holding) -> str:
    return f"{holding.table}__retired"


def archive_folder(project: Project, plan_id: str, holding: Holding) -> Path:
    return archive_root(project, load_catalogue(project)) / holding.name / plan_id


def retire(project: Project, store: Store, plan_id: str, *, execute: bool = False, publisher=None) -> RetirementOutcome:
    """Carry out (or with ``execute=False`` describe) the approved plan ``plan_id``, from where it stopped."""
    store.migrate()
    with store.begin() as connection:
        plan = load_plan(connection, plan_id)
        done, manifest = step_of(connection, plan_id)
    refusal = refusal_for(project, plan)
    if refusal is None and plan.approval is None:
        refusal = (f"plan {plan_id} has no recorded approval; a steward approves it with "
                   f"govbus holdings approve {plan_id} --by NAME --reason WHY")
    if refusal:
        raise RetirementRefused(refusal)
    outcome = RetirementOutcome(plan_id, plan.holding, execute, step=done or "approved", manifest=manifest)
    if not execute:
        outcome.would_do = remaining(done)
        return outcome
    holding = load_catalogue(project).holding(plan.holding)
    folder = archive_folder(project, plan_id, holding)
    for step in remaining(done):
        manifest = _STEP[step](project, store, plan, holding, folder, manifest, publisher)
        crash_point(step)
        with store.begin() as connection:
            record_step(connection, plan_id, step, manifest)
            if step == STEPS[-1]:
                connection.execute(update(retirement_plan).where(retirement_plan.c.plan_id == plan_id).values(status="retired"))
                audit.record(None, audit.Kind.retire, plan.approval["approved_by"], subject_ids=[holding.name],
                             connection=connection, details={"act": "retire", "plan_id": plan_id, "table": holding.table,
                                                             "rows": manifest["rows"], "content_sha256": manifest["content_sha256"],
                                                             "archive": str(folder)})
        crash_point(step, recorded=True)
        outcome.steps_done.append(step)
        outcome.step = step
    outcome.manifest = manifest
    return outcome


def _archive(project, store, plan, holding, folder, manifest, publisher):
    database = holding.database(store)
    with database.begin() as agency:
        if table_state(agency, holding.table) != "table":
            raise FatalError(f"{holding.table} is no longer a table, yet plan {plan.plan_id} was never archived")
        arm(agency, holding.table)
    with database.begin() as agency:
        guard = writes(agency, holding.table)  # before the rows: a racing write can only make the swap refuse
        layout = describe(agency, reflect(agency, holding.table), holding)
        return write_archive(folder, layout, read_ahead(ordered_rows(agency, layout)), load_catalogue(project).policy.rows_per_file,
                             holding, plan.plan_id, guard_writes=guard)


def _verify(project, store, plan, holding, folder, manifest, publisher):
    verify_archive(folder, manifest)
    return manifest


def _replace(project, store, plan, holding, folder, manifest, publisher):
    prefix = registry_prefix(holding, store)
    with holding.database(store).begin() as agency:
        if agency.dialect.name == "sqlite":
            agency.exec_driver_sql("BEGIN IMMEDIATE")  # DDL joins the transaction; writers wait
        quote = agency.dialect.identifier_preparer.quote
        if table_state(agency, holding.table) == "view":
            return manifest  # done before a crash that came ahead of recording it
        if agency.dialect.name == "postgresql":
            agency.exec_driver_sql(f"LOCK TABLE {quote(holding.table)} IN ACCESS EXCLUSIVE MODE")
        _unchanged_since_archive(agency, holding, manifest)
        sql = view_sql(holding, reflect(agency, holding.table), agency.dialect, prefix)
        agency.exec_driver_sql(f"ALTER TABLE {quote(holding.table)} RENAME TO {quote(retired_name(holding))}")
        agency.exec_driver_sql(sql)
    return {**manifest, "replacement_sql": sql}


def _unchanged_since_archive(agency, holding, manifest) -> None:
    """Raise ``FatalError`` unless the guard counted no write to the table since the archive read it."""
    counted = writes(agency, holding.table)
    if counted is None or manifest.get("guard_writes") is None:
        raise FatalError(f"{holding.table}'s write guard is not in place, so no one can tell whether it changed since it "
                         f"was archived: nothing was replaced; plan a new retirement")
    if counted != manifest["guard_writes"]:
        count = agency.exec_driver_sql(f"SELECT count(*) FROM {agency.dialect.identifier_preparer.quote(holding.table)}").scalar_one()
        raise FatalError(f"{holding.table} changed since it was archived ({count} rows now, {manifest['rows']} archived, "
                         f"{counted - manifest['guard_writes']} rows written): nothing was replaced; plan a new retirement")


def _drop(project, store, plan, holding, folder, manifest, publisher):
    with holding.database(store).begin() as agency:
        agency.exec_driver_sql(f"DROP TABLE IF EXISTS {agency.dialect.identifier_preparer.quote(retired_name(holding))}")
    return manifest


def _announce(project, store, plan, holding, folder, manifest, publisher):
    from govbus.registry.events import registry_publisher, topic_for

    event = {"plan_id": plan.plan_id, "holding": holding.name, "agency": holding.agency, "table": holding.table,
             "rows": manifest["rows"], "content_sha256": manifest["content_sha256"], "archive": str(folder),
             "approved_by": plan.approval["approved_by"], "approval_reason": plan.approval["reason"],
             "legal_basis": holding.legal_basis, "retention": holding.retention,
             "occurred_at": datetime.now(timezone.utc).isoformat()}
    own = publisher is None
    publisher = registry_publisher(project) if own else publisher
    try:
        receipt = publisher.publish(topic_for(project, RETIRED), [event], agency="registry")
    finally:
        if own:
            publisher.close()
    if receipt.sent != 1:
        raise FatalError(f"{RETIRED} for plan {plan.plan_id} was not sent: {receipt.failures or receipt.rejections}")
    return manifest


_STEP = {"archived": _archive, "verified": _verify, "replaced": _replace, "dropped": _drop, "announced": _announce}


def execute_approved(project: Project, store: Store, *, publisher=None) -> ExecutionResult:
    """Retire every approved plan (resuming any that stopped part-way); leave every other plan alone."""
    store.migrate()
    result = ExecutionResult()
    with store.begin() as connection:
        current: list[RetirementPlan] = plans(connection, ("proposed", "blocked", "approved"))
    for plan in current:
        refusal = refusal_for(project, plan)
        if refusal:
            result.blocked[plan.plan_id] = refusal
        elif plan.status == "proposed":
            result.waiting_for_approval.append(plan.plan_id)
        else:
            result.retired.append(retire(project, store, plan.plan_id, execute=True, publisher=publisher))
    return result
