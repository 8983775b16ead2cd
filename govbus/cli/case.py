"""Migration cases: the whole chain from the embassy to the border, and the person it is about."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from govbus.cli.context import console, emit_json, state
from govbus.scenario.case_file import case_file
from govbus.store import Store

app = typer.Typer(no_args_is_help=True)


@app.command("show", epilog="Example: govbus case show MC000000001 --json")
def show(
    ctx: typer.Context,
    case_id: Annotated[str, typer.Argument(help="The Migration Board's case number, e.g. MC000000001.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Every step of a case in order, with the agency that published it, and the applicant's golden record."""
    project = state(ctx).project()
    found = case_file(project, Store.for_project(project), case_id)
    if as_json:
        emit_json(found.to_dict())
        return
    whole = "[green]complete chain[/]" if found.complete else f"{len(found.steps)} step(s) so far"
    console.print(f"[bold]case {found.case_id}[/]: {whole}", highlight=False)
    steps = Table("when", "step", "agency", "outcome", "published")
    for step in found.steps:
        steps.add_row(step.at, step.step, step.agency, step.outcome, step.published_at)
    console.print(steps)
    applicant = found.applicant
    if applicant:
        console.print(
            f"applicant: {applicant['given_name']} {applicant['family_name']}, born {applicant['date_of_birth']}, "
            f"passport {applicant['passport_number']} ({applicant['nationality']}), application {applicant['application_id']}",
            highlight=False,
        )
    if found.golden is None:
        console.print("[yellow]not linked into the golden registry yet[/] (reconciliation has not run on this application)")
        return
    golden = found.golden
    records = ", ".join(f"{r['source']}:{r['record_id']}" for r in golden["records"])
    console.print(f"golden record [bold]{golden['person_id']}[/], linked records: {records}", highlight=False)
    values = Table("attribute", "golden value", "from")
    for attribute, winner in golden["golden"].items():
        values.add_row(attribute, str(winner["value"]), f"{winner['source']}:{winner['record_id']}")
    console.print(values)
