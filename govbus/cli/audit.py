"""The audit log: verify its chain, answer a citizen, read the entries."""

from __future__ import annotations

import json
import secrets
from typing import Annotated, Optional

import typer
from rich.table import Table

from govbus.audit import AuditSettings, Entry, entries, entries_about, verify_chain
from govbus.cli.context import console, emit_json, err_console, state
from govbus.store import Store

app = typer.Typer(no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.command(
    "verify",
    epilog="Example: govbus audit verify --expect-head 81c590ea…\n\n"
    "Exits 1 if any entry was modified, removed, reordered or forged. Signatures are checked when "
    "GOVBUS_AUDIT_SIGNING_KEY is set.",
)
def verify(
    ctx: typer.Context,
    expect_head: Annotated[Optional[str], typer.Option(help="Head hash anchored elsewhere (a ticket, a notary) to compare with.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Walk the whole chain and name every entry that is not as it was recorded."""
    report = verify_chain(Store.for_project(state(ctx).project()), key=AuditSettings().key(), expect_head=expect_head)
    if as_json:
        emit_json(report.to_dict())
    else:
        for problem in report.problems:
            err_console.print(f"[red]entry {problem.seq}: {problem.problem}[/]: {problem.detail}", highlight=False)
        signed = f", {report.signed} signatures hold" if report.signed else ""
        verdict = "[green]intact[/]" if report.intact else f"[red]{len(report.problems)} problem(s)[/]"
        console.print(f"{report.checked:,} entries checked{signed}: {verdict}; head {report.head_seq} {report.head_hash}", highlight=False)
    if not report.intact:
        raise typer.Exit(1)


@app.command("person", epilog="Example: govbus audit person 19800102-1234")
def person(
    ctx: typer.Context,
    subject_id: Annotated[str, typer.Argument(help="The person's id as the agencies hold it: national id, tax id, passport...")],
    as_json: JsonOption = False,
) -> None:
    """Which agency used this person's data, under which agreement, and when."""
    found = entries_about(Store.for_project(state(ctx).project()), subject_id)
    if as_json:
        emit_json([entry.to_dict() for entry in found])
        return
    _print_entries(found, f"no recorded use of {subject_id}")


@app.command("log", epilog="Example: govbus audit log --kind consume --limit 20")
def log(
    ctx: typer.Context,
    after: Annotated[int, typer.Option(min=0, help="Start after this entry number.")] = 0,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many entries.")] = 50,
    kind: Annotated[Optional[str], typer.Option(help="Only entries of this kind (publish, consume, merge, ...).")] = None,
    as_json: JsonOption = False,
) -> None:
    """The entries of the log, oldest first."""
    found = entries(Store.for_project(state(ctx).project()), after=after, limit=limit, kind=kind)
    if as_json:
        emit_json([entry.to_dict() for entry in found])
        return
    _print_entries(found, "the audit log is empty")


@app.command("keygen", epilog="Example: govbus audit keygen >> /etc/govbus/audit.env")
def keygen() -> None:
    """Print a new signing key as an export line; every writer and verifier needs it in its environment."""
    typer.echo(f"export GOVBUS_AUDIT_SIGNING_KEY={secrets.token_hex(32)}")


def _print_entries(found: list[Entry], empty: str) -> None:
    if not found:
        console.print(empty)
        return
    table = Table("#", "when (UTC)", "what", "by", "agreement", "people", "details")
    for entry in found:
        details = json.loads(entry.details)
        shown = ", ".join(f"{k}={v}" for k, v in details.items() if not isinstance(v, (dict, list)))
        table.add_row(str(entry.seq), entry.recorded_at[:19].replace("T", " "), entry.kind, entry.actor, entry.agreement_ref or "", str(entry.subject_count), shown[:80])
    console.print(table)
