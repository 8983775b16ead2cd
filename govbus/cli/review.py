"""The steward's review queue: record pairs the model was unsure were one person."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from govbus.cli.context import console, emit_json, state
from govbus.registry.review import decide, review_pair_detail, review_pairs
from govbus.registry.state import ACCEPTED, REJECTED
from govbus.store import Store

app = typer.Typer(no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
PairId = Annotated[int, typer.Argument(help="Review pair number, as `govbus review list` shows it.")]
By = Annotated[str, typer.Option("--by", help="The steward deciding.")]
Reason = Annotated[Optional[str], typer.Option("--reason", help="Why, for the audit trail.")]


def _store(ctx: typer.Context) -> Store:
    return Store.for_project(state(ctx).project())


@app.command("list", epilog="Example: govbus review list --all --json")
def list_(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include decided pairs.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Pairs waiting for a steward, most likely matches first."""
    pairs = review_pairs(_store(ctx), status=None if all_ else "pending")
    if as_json:
        emit_json(pairs)
        return
    table = Table("pair", "record", "record", "probability", "status", "decided by")
    for p in pairs:
        table.add_row(str(p["pair_id"]), p["unique_id_l"], p["unique_id_r"], f"{p['match_probability']:.6f}", p["status"], p["decided_by"] or "")
    console.print(table)


@app.command("show", epilog="Example: govbus review show 12 --json")
def show(ctx: typer.Context, pair_id: PairId, as_json: JsonOption = False) -> None:
    """One pair, with the person each record belongs to now."""
    pair = review_pair_detail(_store(ctx), pair_id)
    if as_json:
        emit_json(pair)
        return
    _print(pair)


@app.command("accept", epilog='Example: govbus review accept 12 --by anna --reason "same passport"')
def accept(ctx: typer.Context, pair_id: PairId, by: By, reason: Reason = None) -> None:
    """The two records are one person: the next run links them, whatever the model says."""
    _print(decide(_store(ctx), pair_id, ACCEPTED, by, reason))


@app.command("reject", epilog='Example: govbus review reject 12 --by anna --reason "twins"')
def reject(ctx: typer.Context, pair_id: PairId, by: By, reason: Reason = None) -> None:
    """The two records are different people: no run links them again."""
    _print(decide(_store(ctx), pair_id, REJECTED, by, reason))


def _print(pair: dict) -> None:
    console.print(
        f"pair {pair['pair_id']}: {pair['unique_id_l']} ({pair['person_l'] or 'unlinked'}) and "
        f"{pair['unique_id_r']} ({pair['person_r'] or 'unlinked'}), probability {pair['match_probability']:.6f}, "
        f"{pair['status']}" + (f" by {pair['decided_by']}: {pair['reason'] or ''}" if pair["decided_by"] else ""),
        highlight=False,
    )
