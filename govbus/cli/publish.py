"""``govbus publish``: send a JSON Lines or CSV file of records to a topic."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from govbus.audit.hooks import AuditedPublisher
from govbus.bus.receipt import PublishReceipt
from govbus.cli.context import console, emit_json, err_console, state
from govbus.contracts import checks_for
from govbus.record_files import count_records, read_records
from govbus.security.credentials import settings_as
from govbus.store import Store

# Below this many records a progress bar is noise.
PROGRESS_THRESHOLD = 5000


def register(app: typer.Typer) -> None:
    app.command(
        "publish",
        epilog="Example: govbus publish population.person.registered people.jsonl --agency population",
    )(publish)


def publish(
    ctx: typer.Context,
    topic: Annotated[str, typer.Argument(help="Topic to publish to (see govbus.yaml).")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines (.jsonl) or CSV (.csv) file.")],
    agency: Annotated[Optional[str], typer.Option(help="Publishing agency (default: the topic's provider).")] = None,
    version: Annotated[Optional[int], typer.Option(help="Schema version to write with (default: latest).")] = None,
    file_format: Annotated[Optional[str], typer.Option("--format", help="jsonl or csv (default: from the suffix).")] = None,
    no_dlq: Annotated[bool, typer.Option("--no-dlq", help="Report rejected records but do not dead-letter them.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the receipt as JSON.")] = False,
) -> None:
    """Validate every record against the topic's schema, then publish it; rejected records are reported.

    The agency publishes as itself where its credentials are kept, and each batch is audited.
    """
    project = state(ctx).project()
    schema = project.registry.get(project.topic(topic).subject, version)
    records = read_records(file, schema, file_format)
    total = count_records(file)
    settings = settings_as(project, agency or project.topic(topic).provider)
    store = Store.for_project(project)
    store.migrate()
    with AuditedPublisher(project, settings, store=store, checks=checks_for(project)) as publisher:
        if as_json or total < PROGRESS_THRESHOLD:
            receipt = publisher.publish(topic, records, agency=agency, version=version, dead_letter=None if not no_dlq else False)
        else:
            with Progress(TextColumn("publishing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err_console) as bar:
                task = bar.add_task("publish", total=total)
                receipt = publisher.publish(
                    topic,
                    records,
                    agency=agency,
                    version=version,
                    dead_letter=None if not no_dlq else False,
                    on_progress=lambda n: bar.update(task, completed=n),
                )
    if as_json:
        emit_json(receipt.to_dict())
    else:
        _print_receipt(receipt)
    if receipt.rejected or receipt.failed:
        raise typer.Exit(code=2 if not receipt.failed else 1)


def _print_receipt(receipt: PublishReceipt) -> None:
    console.print(
        f"[bold]{receipt.topic}[/] (schema v{receipt.schema_version}, agency {receipt.agency}): "
        f"read {receipt.read}, [green]sent {receipt.sent}[/] ({receipt.warnings} with warnings), "
        f"[yellow]quarantined {receipt.quarantined}[/], [red]rejected {receipt.rejected}[/] "
        f"({receipt.dead_lettered} dead-lettered), failed {receipt.failed} in {receipt.seconds:.2f}s",
        highlight=False,
    )
    for partition, span in sorted(receipt.partitions.items()):
        console.print(f"  partition {partition}: offsets {span.first_offset}..{span.last_offset} ({span.count})")
    for breach, count in sorted(receipt.breaches.items()):
        console.print(f"  contract breach {breach}: {count}", highlight=False)
    for rejection in receipt.rejections[:20]:
        err_console.print(f"  [red]rejected[/] {rejection}", highlight=False)
    if receipt.rejected > 20:
        err_console.print(f"  ... and {receipt.rejected - 20} more (use --json for all)")
    for failure in receipt.failures:
        err_console.print(f"  [red]failed[/] {failure}", highlight=False)
