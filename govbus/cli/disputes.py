"""Disputes with agencies whose deliveries breached their agreement."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.table import Table

from govbus.cli.context import console, emit_json, state
from govbus.disputes import check_disputes, disputes, find, resolve
from govbus.disputes.records import OPEN
from govbus.store import Store

app = typer.Typer(no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.command(
    "check",
    epilog="Example: govbus disputes check --window 30\n\n"
    "A contract's breach share is the failing records of its failed validation runs over all "
    "records validated in the window; its agreement tolerates 1 - completeness.at_least.",
)
def check(
    ctx: typer.Context,
    window: Annotated[int, typer.Option(min=1, help="Days of validation runs to count.")] = 30,
    min_failed_runs: Annotated[int, typer.Option(min=1, help="Failed runs needed before a dispute opens.")] = 1,
    as_json: JsonOption = False,
) -> None:
    """Open a dispute for each contract whose breaches passed its agreement's tolerance."""
    project = state(ctx).project()
    checks = check_disputes(project, Store.for_project(project), window_days=window, min_failed_runs=min_failed_runs)
    if as_json:
        emit_json([c.to_dict() for c in checks])
        return
    table = Table("contract", "agreement", "runs", "failed", "breach share", "tolerance", "outcome")
    for c in checks:
        colour = {"opened": "red", "already_open": "yellow"}.get(c.outcome, "dim")
        outcome = f"[{colour}]{c.outcome.replace('_', ' ')}[/]" + (f" {c.dispute}" if c.dispute else "")
        table.add_row(c.contract, c.agreement, str(c.runs), str(c.failed_runs), f"{c.breach_share:.2%}", f"{c.tolerance:.2%}", outcome)
    console.print(table)


@app.command("list", epilog="Example: govbus disputes list --all --json")
def list_(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include resolved disputes.")] = False,
    agreement: Annotated[Optional[str], typer.Option(help="Only disputes under this agreement.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Open disputes with their deadline at the disputes body, most urgent first."""
    found = disputes(Store.for_project(state(ctx).project()), status=None if all_ else OPEN, agreement=agreement)
    if as_json:
        emit_json([d.to_dict() for d in found])
        return
    table = Table("dispute", "agreement", "against", "clauses", "breach share", "opened", "due", "status")
    for d in sorted(found, key=lambda d: d.due_at):
        left = d.working_days_left()
        status = d.status if d.status != OPEN else (f"[red]overdue {-left}d[/]" if left < 0 else f"open, {left} working day(s) left")
        table.add_row(d.code, d.agreement_ref, d.counterparty, ", ".join(d.breached_clauses), f"{d.breach_share:.2%}", f"{d.opened_at:%Y-%m-%d}", f"{d.due_at:%Y-%m-%d}", status)
    console.print(table)


@app.command("show", epilog="Example: govbus disputes show DSP-0001 --json")
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Dispute number, DSP-0001 or 1.")],
    as_json: JsonOption = False,
) -> None:
    """One dispute with its evidence: failing samples, validation results and audit entries."""
    found = find(Store.for_project(state(ctx).project()), code)
    if as_json:
        emit_json(found.to_dict(with_evidence=True))
        return
    console.print(f"[bold]{found.code}[/] against {found.counterparty} under {found.agreement_ref} ({found.contract_id}), {found.status}", highlight=False)
    console.print(f"to {found.body} <{found.contact}> by {found.due_at:%Y-%m-%d} (clause {found.clause}: {found.working_days} working days)", highlight=False)
    console.print(f"breach share {found.breach_share:.2%} against a tolerance of {found.tolerance:.2%}; evidence intact: {found.evidence_intact}")
    samples = Table("clause", "field", "rule", "failing", "samples")
    for sample in found.evidence["failing_samples"]:
        samples.add_row(sample["clause"], sample["field"] or "", sample["rule"], str(sample["failing_count"]), json.dumps(sample["sample_values"][:5], ensure_ascii=False))
    console.print(samples)
    console.print(f"{len(found.evidence['validation_runs'])} validation run(s), {len(found.evidence['audit_entries'])} audit entries in the bundle")
    if found.resolution:
        console.print(f"resolved {found.resolved_at:%Y-%m-%d} by {found.resolved_by}: {found.resolution}", highlight=False)


@app.command("resolve", epilog='Example: govbus disputes resolve DSP-0001 --by "Data Sharing Board" --resolution "Provider fixed postcodes"')
def resolve_(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Dispute number, DSP-0001 or 1.")],
    resolution: Annotated[str, typer.Option(help="What was decided.")],
    by: Annotated[str, typer.Option(help="Who decided it.")],
) -> None:
    """Close a dispute with its resolution; the closing is recorded in the audit log."""
    done = resolve(Store.for_project(state(ctx).project()), code, resolution, by)
    console.print(f"{done.code} resolved by {done.resolved_by}", highlight=False)
