"""Migrate and inspect the store (SQLite by default, PostgreSQL with GOVBUS_STORE_URL)."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Annotated

import typer
from rich.table import Table

from govbus.cli.context import console, emit_json, state
from govbus.store import Store
from govbus.store.info import store_info

app = typer.Typer(no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.command("migrate", epilog="Example: GOVBUS_STORE_URL=postgresql+psycopg://govbus@db/govbus govbus store migrate")
def migrate(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Bring every area's tables to its newest revision. Safe to repeat."""
    store = Store.for_project(state(ctx).project())
    with console.status(f"migrating {store}…") if not as_json else nullcontext():
        store.migrate()
    info = store_info(store)
    if as_json:
        emit_json({"url": info.url, "dialect": info.dialect, "revisions": info.revisions})
        return
    console.print(f"[green]migrated[/] {info.url} ({info.dialect}) to {', '.join(info.revisions)}", highlight=False)


@app.command("info", epilog="Example: govbus store info --json | jq .tables")
def info(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show where the store is (password masked), its dialect, revisions, tables and row counts."""
    details = store_info(Store.for_project(state(ctx).project()))
    if as_json:
        emit_json(details.to_dict())
        return
    console.print(f"[bold]{details.url}[/] ({details.dialect})", highlight=False)
    console.print(f"revisions: {', '.join(details.revisions) or '[yellow]none: run govbus store migrate[/]'}")
    listing = Table("table", "rows")
    for name, rows in details.tables.items():
        listing.add_row(name, f"{rows:,}")
    console.print(listing)
