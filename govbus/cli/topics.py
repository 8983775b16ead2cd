"""Provision the project's topics and their dead-letter twins."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from govbus.bus.topics import apply_topics, desired_topics
from govbus.cli.context import console, emit_json, state

app = typer.Typer(no_args_is_help=True)


@app.command("apply", epilog="Example: govbus topics apply --json")
def apply(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False) -> None:
    """Create missing topics, align retention and cleanup policy, grow partitions. Safe to repeat."""
    changes = apply_topics(desired_topics(state(ctx).project()))
    if as_json:
        emit_json([change.__dict__ for change in changes])
        return
    table = Table("topic", "action", "detail")
    for change in changes:
        colour = {"created": "green", "updated": "yellow"}.get(change.action, "dim")
        table.add_row(change.topic, f"[{colour}]{change.action}[/]", change.detail)
    console.print(table)
