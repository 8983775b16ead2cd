"""The multi-agency scenario: a synthetic country's agencies share data through the running stack."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from govbus.cli.context import console, emit_json, err_console, state
from govbus.scenario.airflow_api import AirflowApi
from govbus.scenario.plan import SIZES
from govbus.scenario.run import run_scenario
from govbus.scenario.summary import AWAITING, ScenarioSummary
from govbus.stack.local import stack_settings

app = typer.Typer(no_args_is_help=True)
_STATUS_COLOURS = {"passed": "green", "warning": "yellow", "failed": "red", "error": "red", AWAITING: "dim"}


@app.command(
    "run",
    epilog="Example: govbus up && govbus topics apply && govbus scenario run --size small\n\n"
    "Needs the local stack running (`govbus up`); Airflow is reached on GOVBUS_STACK_AIRFLOW_PORT.",
)
def run(
    ctx: typer.Context,
    size: Annotated[str, typer.Option("--size", help=f"How big a country: {', '.join(f'{k} ({v:,} people)' for k, v in SIZES.items())}.")] = "small",
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the country; the same seed gives the same people.")] = 1,
    timeout: Annotated[float, typer.Option("--timeout", min=10, help="Seconds to wait for each stage of the stack's work.")] = 900.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON document.")] = False,
) -> None:
    """Publish every agency's events, wait for the DAG runs, and print what became of them."""
    project = state(ctx).project()
    api = AirflowApi(f"http://127.0.0.1:{stack_settings().airflow_port}")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console, transient=as_json) as bar:
        task = bar.add_task("preparing the country", total=None)

        def progress(stage: str, done: int, total: int | None) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        summary = run_scenario(project, api, size=size, seed=seed, timeout_s=timeout, progress=progress)
    if as_json:
        emit_json(summary.to_dict())
    else:
        print_summary(summary, api.url)


def print_summary(summary: ScenarioSummary, airflow_url: str) -> None:
    events = summary.events
    console.print(
        f"[bold]scenario {summary.size}[/] ({summary.people:,} people): {events['published']:,} events published, "
        f"[green]{events['accepted']:,} accepted[/], [yellow]{events['quarantined']:,} quarantined[/], "
        f"[red]{events['dead_lettered']:,} dead-lettered[/]"
        + (f", {events['refused']} refused, {events['failed']} failed" if events["refused"] or events["failed"] else ""),
        highlight=False,
    )
    deliveries = Table("agency", "topic", "route", "published", "accepted", "quarantined", "dead-lettered")
    for d in summary.deliveries:
        deliveries.add_row(d["agency"], d["topic"], d["route"], *(str(d[k]) for k in ("published", "accepted", "quarantined", "dead_lettered")))
    console.print(deliveries)
    console.print(
        f"registry: [bold]{summary.persons_reconciled:,} persons[/] reconciled from {summary.records_linked:,} records; "
        f"{summary.pairs_awaiting_review:,} pairs awaiting review (govbus review list)",
        highlight=False,
    )
    holdings = summary.holdings
    console.print(
        f"holdings: {holdings['scanned']} scanned, {holdings['found']} redundant, {holdings['retired']} retired"
        + "".join(f"\n  {name}: {status}" for name, status in holdings["plans"].items()),
        highlight=False,
    )
    agreements = Table("agreement", "contract", "provider", "compliance", "broken clauses")
    for a in summary.agreements:
        colour = _STATUS_COLOURS.get(a["status"], "white")
        agreements.add_row(a["agreement"], a["contract"], a["provider"], f"[{colour}]{a['status']}[/]", ", ".join(a["broken_clauses"]))
    console.print(agreements)
    console.print(f"DAG runs: {', '.join(f'{dag} {state}' for dag, state in summary.dag_runs.items())}", highlight=False)
    console.print(f"agreement report: {summary.agreement_report}\nData Docs: {summary.data_docs}\nAirflow UI: {airflow_url}", highlight=False)
    cases = summary.expected.get("complete_cases") or []
    if cases:
        console.print(f"a whole case chain: govbus case show {cases[0]}", highlight=False)
