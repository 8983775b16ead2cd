"""Start, stop and inspect the local stack: ``govbus up``, ``govbus down``, ``govbus status``."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from typing import Annotated, Optional

import typer
from rich.table import Table

from govbus.cli.context import console, emit_json, err_console, state
from govbus.settings import KafkaSettings
from govbus.stack import ServiceStatus
from govbus.stack.airflow import AirflowComponent
from govbus.stack.local import GROUPS, local_services, stack_settings

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON document instead of a table.")
]
OnlyOption = Annotated[
    Optional[list[str]],
    typer.Option(
        "--only",
        help=f"Only these services ({', '.join(GROUPS)}); repeat for several. "
        "`up` defaults to GOVBUS_STACK_SERVICES, the others to all.",
    ),
]


def up(
    ctx: typer.Context,
    only: OnlyOption = None,
    also: Annotated[
        Optional[list[str]],
        typer.Option("--with", help="Start these optional services too (connect: Kafka Connect for `kind: cdc` connectors)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds to wait for each service to answer.")
    ] = 120.0,
    as_json: JsonOption = False,
) -> None:
    """Start the local stack (Kafka and Airflow) and wait until every service answers; a no-op if it runs."""
    settings = stack_settings()
    services = local_services(state(ctx).project(), settings, only=[*(only or settings.started_groups), *(also or [])])
    statuses = []
    with ThreadPoolExecutor(max_workers=1) as background:
        # Airflow boots slowest (and migrates its database the first time) and needs no broker
        # to do so: it starts beside the services before it rather than after them.
        api_server = next((service for service in services if isinstance(service, AirflowComponent)), None)
        airflow_started = background.submit(api_server.start) if api_server else None
        for service in services:
            with nullcontext() if as_json else console.status(f"starting {service.service}…"):
                if isinstance(service, AirflowComponent):
                    airflow_started.result()
                statuses.append(service.up(timeout=timeout))
    _report(statuses, as_json)
    if as_json:
        return
    bootstrap = KafkaSettings().bootstrap_servers
    broker = next((status for status in statuses if status.service == "kafka"), None)
    if broker is not None and bootstrap != broker.address:
        err_console.print(
            f"[yellow]note:[/] clients read GOVBUS_KAFKA_BOOTSTRAP_SERVERS={bootstrap}; "
            f"this broker is at {broker.address}"
        )
    if api_server is not None and api_server.answers():
        airflow = api_server.airflow
        login = "no login on 127.0.0.1" if airflow.open_access else f"admin password in {airflow.home}"
        console.print(f"Airflow UI: {airflow.url} ({login})", highlight=False)


def down(
    ctx: typer.Context,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=1, help="Seconds to wait after SIGTERM before SIGKILL."),
    ] = 30.0,
    only: OnlyOption = None,
) -> None:
    """Stop the local stack: SIGTERM, then SIGKILL for a service that does not stop in time."""
    statuses = []
    for service in reversed(local_services(state(ctx).project(), only=only)):
        with console.status(f"stopping {service.service}…"):
            statuses.append(service.down(timeout=timeout))
    _report(statuses, as_json=False)


def status(ctx: typer.Context, only: OnlyOption = None, as_json: JsonOption = False) -> None:
    """Show whether each service of the local stack runs and answers."""
    _report([service.status() for service in local_services(state(ctx).project(), only=only)], as_json)


def register(app: typer.Typer) -> None:
    app.command(epilog="Example: govbus up && govbus status\n\nExample: govbus up --only kafka\n\nExample: govbus up --with connect")(up)
    app.command(epilog="Example: govbus down --timeout 10")(down)
    app.command(epilog="Example: govbus status --json | jq .kafka.answering")(status)


def _report(statuses: list[ServiceStatus], as_json: bool) -> None:
    if as_json:
        emit_json({status.service: status.to_dict() for status in statuses})
        return
    for status in statuses:
        for note in status.notes:
            err_console.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    table = Table.grid(padding=(0, 2))
    for status in statuses:
        table.add_row(status.service, *_describe(status))
    console.print(table, highlight=False)


def _describe(status: ServiceStatus) -> list[str]:
    if not status.running:
        return ["[dim]stopped[/]", "", status.address, f"data {status.data_dir}"]
    if status.ready_in_s is not None:
        detail = f"ready in {status.ready_in_s:.1f}s"
    elif status.answering:
        detail = f"up {_duration(status.uptime_s or 0)}"
    else:
        detail = f"[red]not answering[/] (see {status.log_file})"
    return ["[green]running[/]", f"pid {status.pid}", status.address, detail]


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
