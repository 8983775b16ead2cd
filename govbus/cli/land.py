"""``govbus land``: land bus events into the store, exactly once."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from govbus.cli.context import console, emit_json, err_console, state
from govbus.land import LAND_GROUP, LandingReceipt, land
from govbus.store import Store


def register(app: typer.Typer) -> None:
    app.command(
        "land",
        epilog="Example: govbus land --topic population.person.registered --idle 10\n\n"
        "Rerunning is harmless: it resumes where the store says the last run stopped.",
    )(land_command)


def land_command(
    ctx: typer.Context,
    topics: Annotated[
        Optional[list[str]], typer.Option("--topic", "-t", help="Topic to land; repeat for several (default: every topic).")
    ] = None,
    max_events: Annotated[Optional[int], typer.Option("--max", min=1, help="Stop after this many messages.")] = None,
    idle: Annotated[float, typer.Option("--idle", min=0, help="Stop after this many seconds without messages.")] = 5.0,
    group: Annotated[str, typer.Option(help="Landing group whose offsets the store keeps.")] = LAND_GROUP,
    as_json: Annotated[bool, typer.Option("--json", help="Print the receipt as JSON.")] = False,
) -> None:
    """Upsert each topic's events into its land_<topic> table; offsets commit with the rows."""
    project = state(ctx).project()
    store = Store.for_project(project)
    chosen = topics or sorted(project.topics)
    options = dict(group_id=group, max_events=max_events, idle_timeout_s=idle)
    if as_json:
        emit_json(land(project, store, chosen, **options).to_dict())
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(f"landing into {store}")
        receipt = land(project, store, chosen, **options, on_progress=lambda r: progress.update(task, description=_so_far(r)))
    _print_receipt(receipt)


def _so_far(receipt: LandingReceipt) -> str:
    rate = receipt.consumed / receipt.seconds if receipt.seconds else 0
    return f"landed {receipt.landed:,}, dead-lettered {receipt.dead_lettered:,} ({rate:,.0f}/s)"


def _print_receipt(receipt: LandingReceipt) -> None:
    table = Table("topic", "table", "landed", "dead-lettered")
    for name, counts in sorted(receipt.topics.items()):
        dead = f"[yellow]{counts.dead_lettered:,}[/]" if counts.dead_lettered else "0"
        table.add_row(name, counts.table, f"{counts.landed:,}", dead)
    console.print(table)
    console.print(
        f"consumed {receipt.consumed:,}: [green]landed {receipt.landed:,}[/], dead-lettered {receipt.dead_lettered:,} "
        f"in {receipt.batches} batch(es), {receipt.seconds:.1f}s",
        highlight=False,
    )
    if receipt.dead_lettered:
        err_console.print("see them with: govbus dlq list <topic>")
