"""List, lint, run and inspect the connectors declared in connectors/."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from govbus.cli.context import console, emit_json, err_console, state
from govbus.connectors.definition import ConnectorDefinition, Direction, find_definition, load_definitions
from govbus.connectors.lint import lint_connectors
from govbus.connectors.run import ConnectorRun, run_source
from govbus.connectors.sink_run import SinkRun, run_sink
from govbus.connectors.state import load_state, reset_state
from govbus.store import Store

app = typer.Typer(no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.command("list", epilog="Example: govbus connectors list --json | jq '.[].name'")
def list_connectors(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show each connector: its kind, agency, topic, mode and schedule (URLs with passwords masked)."""
    project = state(ctx).project()
    rows = [_summary(d, project) for d in load_definitions(project).values()]
    if as_json:
        emit_json(rows)
        return
    table = Table("name", "kind", "agency", "topic", "mode", "schedule", "database or folder", box=None)
    for row in rows:
        table.add_row(row["name"], f"{row['kind']} {row['direction']}", row["agency"], row["topic"], row["mode"], row["schedule"] or "manual", row["where"])
    console.print(table, highlight=False)


@app.command("lint", epilog="Example: govbus connectors lint --json")
def lint(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Check each definition against govbus.yaml, the schema registry and the contracts."""
    report = lint_connectors(state(ctx).project())
    if as_json:
        emit_json(report.to_dict())
    else:
        for problem in report.problems:
            colour = {"error": "red"}.get(problem.level, "yellow")
            console.print(f"{problem.path}:{problem.line}: [{colour}]{problem.level}[/] {problem.message}", highlight=False, soft_wrap=True)
        console.print(f"{len(report.files)} connector(s): {len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    if report.errors:
        raise typer.Exit(code=1)


@app.command("run", epilog="Example: TAX_DB_URL=postgresql+psycopg://tax@db/tax govbus connectors run tax-taxpayer-roll")
def run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Connector name (see govbus connectors list).")],
    from_start: Annotated[
        bool, typer.Option("--from-start", help="Forget the stored cursor (sql_table, cdc) and read everything again.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Run one connector now: a source publishes what is new, a sink writes the topic's new events.

    Rows that break the schema or a contract are dead-lettered or quarantined and counted; they do
    not make the run fail. A broker that does not acknowledge does, and the cursor stays put.
    """
    project = state(ctx).project()
    definition = find_definition(project, name)
    store = Store.for_project(project)
    if from_start and definition.direction is Direction.source:
        store.migrate()
        reset_state(store, definition.name)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console, disable=as_json) as bar:
        task = bar.add_task(f"{name}: starting")
        progress = lambda count: bar.update(task, description=f"{name}: {count} read")  # noqa: E731
        if definition.direction is Direction.sink:
            outcome: ConnectorRun | SinkRun = run_sink(definition, project, store=store, on_progress=progress)
        else:
            outcome = run_source(definition, project, store=store, on_progress=progress)
    if as_json:
        emit_json(outcome.to_dict())
    else:
        _print_run(outcome)


@app.command("status", epilog="Example: govbus connectors status tax-taxpayer-roll --json")
def status(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Argument(help="One connector (default: all).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show where each connector resumes and what its last run did."""
    project = state(ctx).project()
    definitions = [find_definition(project, name)] if name else list(load_definitions(project).values())
    store = Store.for_project(project)
    store.migrate()
    reports = [load_state(store, d.name).to_dict() for d in definitions]
    if as_json:
        emit_json(reports)
        return
    for report in reports:
        last = report["last_run"] or {}
        when = f"{last.get('status', 'never run')} {last.get('finished_at') or last.get('started_at') or ''}".strip()
        counts = ", ".join(f"{key} {value}" for key, value in last.get("counts", {}).items())
        console.print(f"[bold]{report['connector']}[/]: {when}; {counts or 'no counts'}", highlight=False, soft_wrap=True)
        console.print(f"  resumes at {_position(report['position'])}", highlight=False, soft_wrap=True)
        if last.get("error"):
            err_console.print(f"  [red]last error[/] {last['error']}", highlight=False, soft_wrap=True)


def _summary(definition: ConnectorDefinition, project) -> dict:
    where = definition.shown_url() or str(definition.options.get("folder", ""))
    return {
        "name": definition.name,
        "kind": definition.kind,
        "direction": definition.direction.value,
        "agency": definition.agency,
        "topic": definition.topic_name(project),
        "subject": definition.subject,
        "mode": definition.mode.value,
        "schedule": definition.schedule,
        "where": where,
    }


def _position(position) -> str:
    if position is None:
        return "the beginning"
    text = json.dumps(position, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def _print_run(outcome: ConnectorRun | SinkRun) -> None:
    if isinstance(outcome, SinkRun):
        console.print(
            f"[bold]{outcome.connector}[/] from {outcome.topic}: consumed {outcome.consumed}, [green]written {outcome.written}[/], "
            f"quarantined {outcome.quarantined}, dead-lettered {outcome.dead_lettered} in {outcome.seconds:.2f}s",
            highlight=False,
        )
        return
    counts = outcome.outcome
    console.print(
        f"[bold]{outcome.connector}[/] ({outcome.kind}, {outcome.mode}) to {outcome.topic}: read {counts.read}, "
        f"[green]sent {counts.sent}[/], [yellow]quarantined {counts.quarantined}[/], [red]rejected {counts.rejected}[/] "
        f"in {outcome.batches} batch(es), {outcome.seconds:.2f}s",
        highlight=False,
    )
    for rejection in counts.rejections[:20]:
        err_console.print(f"  [red]rejected[/] row {rejection}", highlight=False)
    if counts.rejected > 20:
        err_console.print(f"  ... and {counts.rejected - 20} more (use --json for the first 100)")
