"""Access rights from the contracts: ACLs on the broker and projected topics for withheld fields."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Annotated, Optional

import typer
from rich.table import Table

from govbus.bus.topics import apply_topics
from govbus.cli.context import console, emit_json, err_console, state
from govbus.security.access import desired_grants
from govbus.security.acls import AccessPlan
from govbus.security.bootstrap import apply_project_access
from govbus.security.credentials import settings_as
from govbus.security.principals import ADMIN
from govbus.security.projection import projection_topic_specs
from govbus.security.projector import run_projector

app = typer.Typer(no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.command(
    "apply",
    epilog="Example: govbus access apply --dry-run\n\n"
    "govbus owns every ACL on the broker: one not derived from the contracts is removed.",
)
def apply(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; change nothing.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Create the projected topics, then add and remove ACLs until the broker matches the contracts."""
    project = state(ctx).project()
    admin = settings_as(project, ADMIN)
    if not dry_run:
        apply_topics(projection_topic_specs(project), admin)
    plan = apply_project_access(project, admin, dry_run=dry_run)
    if as_json:
        emit_json({**plan.to_dict(), "dry_run": dry_run})
        return
    _print_plan(plan, dry_run)


@app.command("list", epilog="Example: govbus access list --principal tax")
def list_(
    ctx: typer.Context,
    principal: Annotated[Optional[str], typer.Option("--principal", "-p", help="Only this agency or service.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every access right the contracts grant, with the reason for each."""
    grants = [g for g in desired_grants(state(ctx).project()) if principal in (None, g.principal)]
    if as_json:
        emit_json([grant.to_dict() for grant in grants])
        return
    table = Table("principal", "may", "resource", "because")
    for grant in grants:
        star = "*" if grant.pattern == "PREFIXED" else ""
        table.add_row(grant.principal, grant.operation, f"{grant.resource.lower()} {grant.name}{star}", grant.reason)
    console.print(table)


@app.command(
    "project",
    epilog="Example: govbus access project --idle 10\n\n"
    "Runs as the projector service when .govbus/secrets/projector.json exists, else as the environment says.",
)
def project_(
    ctx: typer.Context,
    topics: Annotated[Optional[list[str]], typer.Option("--topic", "-t", help="Source topic; repeat for several (default: all).")] = None,
    idle: Annotated[float, typer.Option("--idle", min=0, help="Stop after this many seconds without events.")] = 5.0,
    max_events: Annotated[Optional[int], typer.Option("--max", min=1, help="Stop after this many source events.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Publish each consumer's projection of the topics it may not see whole, then stop when idle."""
    project = state(ctx).project()
    with nullcontext() if as_json else console.status("projecting…"):
        receipt = run_projector(project, settings_as(project, "projector"), topics=topics, idle_timeout_s=idle, max_events=max_events)
    if as_json:
        emit_json(receipt.to_dict())
        return
    table = Table("projection", "events")
    for name, count in sorted(receipt.projected.items()):
        table.add_row(name, f"{count:,}")
    console.print(table)
    console.print(f"consumed {receipt.consumed:,}, dead-lettered {receipt.dead_lettered:,} in {receipt.seconds:.1f}s", highlight=False)


def _print_plan(plan: AccessPlan, dry_run: bool) -> None:
    verb = ("would add", "would remove") if dry_run else ("added", "removed")
    for grant in plan.add:
        console.print(f"[green]+[/] {grant}  [dim]{grant.reason}[/]", highlight=False)
    for grant in plan.remove:
        console.print(f"[red]-[/] {grant}", highlight=False)
    err_console.print(f"{verb[0]} {len(plan.add)}, {verb[1]} {len(plan.remove)}, unchanged {plan.kept}")
