"""Review and replay dead-lettered messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from govbus.bus.replay import list_dead_letters, replay
from govbus.cli.context import console, emit_json, state
from govbus.errors import ConfigurationError

app = typer.Typer(no_args_is_help=True)


@app.command("list", epilog="Example: govbus dlq list population.person.registered")
def list_(
    ctx: typer.Context,
    topic: Annotated[str, typer.Argument(help="Source topic whose dead letters to show.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show each dead letter: where it came from, why, and a preview of what arrived."""
    letters = list_dead_letters(state(ctx).project(), topic)
    if as_json:
        emit_json([letter.to_dict() for letter in letters])
        return
    table = Table("offset", "stage", "reason", "field", "from", "error", "payload")
    for letter in letters:
        row = letter.to_dict(preview=40)
        where = f"#{row['record_number']}" if row["stage"] == "publish" else f"{row['source_partition']}@{row['source_offset']}"
        table.add_row(str(row["offset"]), row["stage"], row["reason"], row["field"] or "", where, row["error"], row["payload"])
    console.print(table)
    console.print(f"{len(letters)} dead letter(s) for {topic}")


@app.command(
    "replay",
    epilog="Example: govbus dlq replay population.person.registered --fixes fixed.jsonl\n\n"
    'Each line of the fixes file is {"offset": <dead-letter offset>, "record": {...}}.',
)
def replay_(
    ctx: typer.Context,
    topic: Annotated[str, typer.Argument(help="Source topic whose dead letters to replay.")],
    fixes: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False, help="JSON Lines of corrected records by offset.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Republish dead letters not replayed before; what still fails goes back with its new reason."""
    receipt = replay(state(ctx).project(), topic, _load_fixes(fixes) if fixes else None)
    if as_json:
        emit_json(receipt.to_dict())
    else:
        console.print(
            f"{topic}: read {receipt.read}, [green]republished {receipt.republished}[/], "
            f"[red]still failing {len(receipt.still_failing)}[/]",
            highlight=False,
        )
        for reason in receipt.still_failing:
            console.print(f"  {reason}", highlight=False)
    if receipt.still_failing:
        raise typer.Exit(code=2)


def _load_fixes(path: Path) -> dict[int, dict]:
    fixes = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            fixes[int(entry["offset"])] = entry["record"]
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ConfigurationError(f"{path}:{number}: expected {{\"offset\": N, \"record\": {{...}}}}: {exc}") from exc
    return fixes
