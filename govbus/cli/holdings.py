"""Redundant holdings: measure the agencies' own copies, plan, approve, retire and restore them."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from govbus.cli.context import console, emit_json, err_console, state
from govbus.holdings import approve, execute_approved, plan_all, restore, retire, scan_all
from govbus.holdings.plan import load_plan, plans
from govbus.holdings.scan import measurements
from govbus.store import Store

app = typer.Typer(no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ByOption = Annotated[str, typer.Option("--by", help="Who decides: the data steward's name.")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why, in a sentence; kept with the decision.")]


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.1%}"


@app.command("scan", epilog="Example: govbus holdings scan --holding tax_taxpayer_address --json")
def scan(
    ctx: typer.Context,
    holding: Annotated[list[str] | None, typer.Option("--holding", help="Only this holding (repeatable).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Measure each holding's coverage, agreement, staleness and last access against the golden records."""
    project = state(ctx).project()
    store = Store.for_project(project)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True, disable=as_json) as bar:
        tasks: dict[str, int] = {}

        def progress(name: str, done: int, total: int) -> None:
            task = tasks.setdefault(name, bar.add_task(f"scanning {name}", total=total))
            bar.update(task, completed=done)

        result = scan_all(project, store, holdings=holding or None, progress=progress)
    if as_json:
        emit_json(result.to_dict())
        return
    table = Table("holding", "database", "rows", "coverage", "agreement", "staleness", "last access")
    for report in result.holdings:
        if not report.present:
            table.add_row(report.holding, report.database, "-", "-", "-", "-", report.last_access_note)
            continue
        access = report.last_access.isoformat() if report.last_access else report.last_access_note
        table.add_row(report.holding, report.database, str(report.rows), _percent(report.coverage),
                      _percent(report.agreement), _percent(report.staleness), access)
    console.print(table)


@app.command("history", epilog="Example: govbus holdings history tax_taxpayer_address")
def history(ctx: typer.Context, holding: Annotated[str, typer.Argument(help="The holding's name in the catalogue.")],
            as_json: JsonOption = False) -> None:
    """Every measurement of a holding, oldest first: how its redundancy developed."""
    found = measurements(Store.for_project(state(ctx).project()), holding)
    if as_json:
        emit_json(found)
        return
    table = Table("measured at", "rows", "coverage", "agreement", "staleness")
    for m in found:
        table.add_row(str(m["measured_at"]), str(m["rows"]), _percent(m["coverage"]), _percent(m["agreement"]), _percent(m["staleness"]))
    console.print(table)


@app.command("plan", epilog="Example: govbus holdings plan --json")
def plan(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Write a retirement plan for each measured holding: what is archived, what replaces it, the risks."""
    project = state(ctx).project()
    result = plan_all(project, Store.for_project(project))
    if as_json:
        emit_json(result.to_dict())
        return
    for p in result.plans:
        _print_plan(p)


@app.command("show", epilog="Example: govbus holdings show tax_taxpayer_address-3 --json")
def show(ctx: typer.Context, plan_id: Annotated[str, typer.Argument(help="The plan's id, as `plan` lists it.")],
         as_json: JsonOption = False) -> None:
    """One retirement plan in full, with its approval."""
    store = Store.for_project(state(ctx).project())
    store.migrate()
    with store.begin() as connection:
        found = load_plan(connection, plan_id)
    if as_json:
        emit_json(found.to_dict())
        return
    _print_plan(found)


def _print_plan(p) -> None:
    d = p.document
    console.print(f"[bold]{p.plan_id}[/] {p.status}: {d['holding']['table']} of {d['holding']['agency']} "
                  f"({d['measures']['rows']} rows, coverage {_percent(d['measures']['coverage'])}, "
                  f"agreement {_percent(d['measures']['agreement'])}, staleness {_percent(d['measures']['staleness'])})")
    console.print(f"  archive: {d['archive']['rows']} rows to {d['archive']['folder']} ({d['archive']['format']})")
    console.print(f"  replacement: view {d['replacement']['view']} over the shared registry")
    for risk in d["risks"]:
        console.print(f"  risk {risk['risk']}: {risk['count']}: {risk['means']}; e.g. {risk['samples'][:3]}", highlight=False)
    for blocker in d["blockers"]:
        console.print(f"  [red]blocked:[/] {blocker}", highlight=False)
    if p.approval:
        console.print(f"  approved by {p.approval['approved_by']} at {p.approval['approved_at']}: {p.approval['reason']}")


@app.command("approve", epilog='Example: govbus holdings approve tax_taxpayer_address-3 --by anna.steward --reason "covered by AGR-2026-014"')
def approve_plan(ctx: typer.Context, plan_id: Annotated[str, typer.Argument(help="The plan to approve.")],
                 by: ByOption, reason: ReasonOption) -> None:
    """Record a steward's approval of a retirement plan (who, when, why)."""
    project = state(ctx).project()
    approved = approve(project, Store.for_project(project), plan_id, by=by, reason=reason)
    console.print(f"{approved.plan_id} approved by {by} at {approved.approval['approved_at']}")


@app.command("retire", epilog="Example: govbus holdings retire tax_taxpayer_address-3 --execute\n\n"
             "Without a plan id, every approved plan is carried out (with --execute).")
def retire_plan(
    ctx: typer.Context,
    plan_id: Annotated[str | None, typer.Argument(help="The approved plan; all approved plans when left out.")] = None,
    execute: Annotated[bool, typer.Option("--execute", help="Really do it; without it, show what would be done.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Archive, verify, replace with a view and retire an approved holding; a dry run unless --execute."""
    project = state(ctx).project()
    store = Store.for_project(project)
    if plan_id is None and not execute:
        store.migrate()
        with store.begin() as connection:
            approved = [p.plan_id for p in plans(connection, ("approved",))]
        payload = {"dry_run": [retire(project, store, p).to_dict() for p in approved]}
    elif plan_id is None:
        payload = execute_approved(project, store).to_dict()
    else:
        with console.status(f"retiring under plan {plan_id}", spinner="dots") if execute and not as_json else nullcontext():
            payload = retire(project, store, plan_id, execute=execute).to_dict()
    if as_json:
        emit_json(payload)
        return
    for outcome in payload.get("retired", payload.get("dry_run", [payload])):
        if outcome["executed"]:
            console.print(f"{outcome['plan_id']}: {outcome['step']} (this run: {', '.join(outcome['steps_done']) or 'nothing left to do'})")
        else:
            console.print(f"{outcome['plan_id']}: dry run, would do: {', '.join(outcome['would_do']) or 'nothing'}; add --execute")
    for waiting in payload.get("waiting_for_approval", []):
        console.print(f"{waiting}: waiting for a steward's approval")
    for blocked, why in payload.get("blocked", {}).items():
        console.print(f"{blocked}: blocked: {why}", highlight=False)


@app.command("restore", epilog='Example: govbus holdings restore tax_taxpayer_address --by anna.steward --reason "audit request 2026-114"')
def restore_holding(ctx: typer.Context, holding: Annotated[str, typer.Argument(help="The retired holding's name.")],
                    by: ByOption, reason: ReasonOption, as_json: JsonOption = False) -> None:
    """Rebuild a retired table from its archive, exactly, and remove the view that replaced it."""
    project = state(ctx).project()
    outcome = restore(project, Store.for_project(project), holding, by=by, reason=reason)
    if as_json:
        emit_json(outcome.to_dict())
        return
    console.print(f"{holding} restored from {outcome.plan_id}: {outcome.manifest['rows']} rows, "
                  f"content hash {outcome.manifest['content_sha256']} (matches the archive)")
