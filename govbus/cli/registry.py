"""The shared customer registry: reconciliation runs and golden person records."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from govbus.cli.context import console, emit_json, state
from govbus.registry import RegistryError
from govbus.registry.events import registry_publisher
from govbus.registry.golden import person_detail
from govbus.registry.run import run_full, run_incremental
from govbus.store import Store

app = typer.Typer(no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.command(
    "run",
    epilog="Example: govbus registry run --json\n\n"
    "Links landed agency records into people; merges, splits and changed golden records go to the "
    "registry.person.* topics.",
)
def run(
    ctx: typer.Context,
    full: Annotated[bool, typer.Option("--full", help="Re-link every record, not only new ones.")] = False,
    events: Annotated[bool, typer.Option("--events/--no-events", help="Publish registry.person.* events.")] = True,
    as_json: JsonOption = False,
) -> None:
    """Reconcile landed person records into golden records with stable govbus ids."""
    project = state(ctx).project()
    store = Store.for_project(project)
    store.migrate()
    runner = run_full if full else run_incremental
    with console.status("reconciling person records"):
        if events:
            with registry_publisher(project) as publisher:
                receipt = runner(project, store, publisher=publisher)
        else:
            receipt = runner(project, store)
    if as_json:
        emit_json(receipt.to_dict())
        return
    table = Table("figure", "value")
    for name, value in receipt.to_dict().items():
        table.add_row(name.replace("_", " "), str(value))
    console.print(table)


@app.command("person", epilog="Example: govbus registry person P000000042 --json")
def person(
    ctx: typer.Context,
    person_id: Annotated[str, typer.Argument(help="Govbus person id; a retired id shows the person it merged into.")],
    as_json: JsonOption = False,
) -> None:
    """A person's golden record with the agency and record behind every value."""
    with Store.for_project(state(ctx).project()).begin() as connection:
        found = person_detail(connection, person_id)
    if found is None:
        raise RegistryError(f"no person {person_id}")
    if as_json:
        emit_json(found)
        return
    merged = f" (asked for {found['asked_for']}, merged into it)" if "asked_for" in found else ""
    console.print(f"[bold]{found['person_id']}[/]{merged}, {len(found['records'])} record(s)", highlight=False)
    table = Table("attribute", "golden value", "from", "other values")
    for attribute, winner in found["golden"].items():
        others = sorted({f"{p['value']} ({p['source']})" for p in found["provenance"]
                         if p["attribute"] == attribute and p["value"] != winner["value"]})
        flag = " [red]conflict[/]" if attribute in found["conflicts"] else ""
        table.add_row(attribute, winner["value"] + flag, f"{winner['source']}:{winner['record_id']}", ", ".join(others))
    console.print(table)
