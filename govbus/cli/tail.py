"""``govbus tail``: print a topic's events as decoded JSON."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from govbus.bus.subscriber import Subscriber
from govbus.cli.context import err_console, state


def register(app: typer.Typer) -> None:
    app.command("tail", epilog="Example: govbus tail population.person.registered --max 10")(tail)


def tail(
    ctx: typer.Context,
    topic: Annotated[str, typer.Argument(help="Topic to read.")],
    max_events: Annotated[Optional[int], typer.Option("--max", help="Stop after this many events.")] = None,
    idle: Annotated[float, typer.Option(help="Stop after this many seconds without events.")] = 5.0,
    version: Annotated[Optional[int], typer.Option(help="Reader schema version (default: latest).")] = None,
    group: Annotated[Optional[str], typer.Option(help="Consumer group; commits offsets after printing.")] = None,
    latest: Annotated[bool, typer.Option("--latest", help="Only events published from now on.")] = False,
    with_metadata: Annotated[bool, typer.Option("--metadata", help="Print topic, offset and headers too.")] = False,
) -> None:
    """Print each event on one line as JSON; undecodable messages are reported, not dead-lettered."""
    project = state(ctx).project()
    reader_versions = {topic: version} if version else None

    def report(message, exc) -> None:
        err_console.print(f"[red]undecodable[/] {message.topic}[{message.partition}]@{message.offset}: {exc}", highlight=False)

    with Subscriber(
        project, [topic], group_id=group, reader_versions=reader_versions, from_beginning=not latest, on_undecodable=report
    ) as subscriber:
        for event in subscriber.events(idle_timeout_s=idle, limit=max_events):
            payload = event.to_dict() if with_metadata else event.record
            typer.echo(json.dumps(payload, ensure_ascii=False, default=str))
