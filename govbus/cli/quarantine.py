"""Review quarantined events: list what is held, release it to its topic or reject it for good."""

from __future__ import annotations

import getpass
from typing import Annotated, Optional

import typer
from rich.table import Table

from govbus.cli.context import console, emit_json, state
from govbus.contracts.quarantine import HeldEvent, Quarantine
from govbus.errors import ConfigurationError
from govbus.store import Store

app = typer.Typer(no_args_is_help=True)

Topic = Annotated[str, typer.Argument(help="Topic whose quarantine to work on (not the .quarantine twin).")]
Partition = Annotated[int, typer.Option(help="Partition of the quarantine topic the offsets are in.")]
DecidedBy = Annotated[Optional[str], typer.Option("--by", help="Who decides (default: the login name).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _quarantine(ctx: typer.Context, topic: str) -> Quarantine:
    project = state(ctx).project()
    store = Store.for_project(project)
    store.migrate()
    return Quarantine(project, topic, store)


@app.command("list", epilog="Example: govbus quarantine list post.address.change_notified --all")
def list_(
    ctx: typer.Context,
    topic: Topic,
    everything: Annotated[bool, typer.Option("--all", help="Show decided events too, not only pending ones.")] = False,
    as_json: AsJson = False,
) -> None:
    """Show each held event: the agreement clause and rule it broke, the value, and the decision so far."""
    quarantine = _quarantine(ctx, topic)
    events = quarantine.events()
    counts = quarantine.counts_of(events)
    shown = events if everything else [e for e in events if e.decision is None]
    if as_json:
        emit_json({"counts": counts.to_dict(), "events": [e.to_dict() for e in shown]})
        return
    table = Table("offset", "decision", "agreement", "clause", "field", "rule", "value", "key", "held at")
    for event in shown:
        row = event.to_dict()
        table.add_row(
            event.address, row["decision"], row["agreement"], row["clause"], row["field"] or "", row["rule"], row["value"] or "", row["key"] or "", row["quarantined_at"]
        )
    console.print(table)
    console.print(
        f"{quarantine.held_topic}: held {counts.held} = released {counts.released} + rejected {counts.rejected} + pending {counts.pending}",
        highlight=False,
    )


@app.command(
    "release",
    epilog="Example: govbus quarantine release post.address.change_notified --offset 3 --offset 7\n\n"
    "Example: govbus quarantine release post.address.change_notified --all",
)
def release(
    ctx: typer.Context,
    topic: Topic,
    offsets: Annotated[Optional[list[int]], typer.Option("--offset", help="Offset of a held event; repeat for more.")] = None,
    everything: Annotated[bool, typer.Option("--all", help="Release every pending event.")] = False,
    reason: Annotated[Optional[str], typer.Option(help="Why the steward lets them through.")] = None,
    partition: Partition = 0,
    decided_by: DecidedBy = None,
    as_json: AsJson = False,
) -> None:
    """Republish held events to the topic unchanged, past the rule that held them; the decision is recorded."""
    if bool(offsets) == everything:
        raise ConfigurationError("give --offset N (repeatable) or --all")
    released = _quarantine(ctx, topic).release(None if everything else offsets, decided_by=decided_by or getpass.getuser(), reason=reason, partition=partition)
    _report("released", released, topic, as_json)


@app.command("reject", epilog='Example: govbus quarantine reject post.address.change_notified --offset 4 --reason "postcode does not exist"')
def reject(
    ctx: typer.Context,
    topic: Topic,
    offsets: Annotated[list[int], typer.Option("--offset", help="Offset of a held event; repeat for more.")],
    reason: Annotated[str, typer.Option(help="Why the events are refused; kept with the decision.")],
    partition: Partition = 0,
    decided_by: DecidedBy = None,
    as_json: AsJson = False,
) -> None:
    """Refuse held events for good; they are not offered again and the reason is kept."""
    rejected = _quarantine(ctx, topic).reject(offsets, decided_by=decided_by or getpass.getuser(), reason=reason, partition=partition)
    _report("rejected", rejected, topic, as_json)


def _report(decision: str, events: list[HeldEvent], topic: str, as_json: bool) -> None:
    if as_json:
        emit_json({"decision": decision, "count": len(events), "offsets": [e.address for e in events]})
        return
    console.print(f"{decision} {len(events)} event(s) held for {topic}: {', '.join(e.address for e in events) or 'none pending'}", highlight=False)
