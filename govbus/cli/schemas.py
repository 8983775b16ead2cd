"""Inspect and check the schema registry in schemas/."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.syntax import Syntax
from rich.table import Table

from govbus.cli.context import console, emit_json, err_console, state
from govbus.errors import CompatibilityError

app = typer.Typer(no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.command("list", epilog="Example: govbus schemas list --json")
def list_subjects(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List every subject with its versions, compatibility mode and latest fingerprint."""
    registry = state(ctx).project().registry
    rows = [
        {
            "subject": s.name,
            "versions": sorted(s.versions),
            "compatibility": s.mode.value,
            "latest_fingerprint": s.latest.fingerprint_hex,
        }
        for s in registry.subjects.values()
    ]
    if as_json:
        emit_json(rows)
        return
    table = Table("subject", "versions", "compatibility", "latest fingerprint")
    for row in rows:
        table.add_row(row["subject"], ", ".join(f"v{n}" for n in row["versions"]), row["compatibility"], row["latest_fingerprint"])
    console.print(table)


@app.command("show", epilog="Example: govbus schemas show population.person.address_changed --version 1")
def show(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="Subject name, <agency>.<entity>.<event>.")],
    version: Annotated[Optional[int], typer.Option("--version", "-v", help="Version number (default: latest).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show one version of a subject: the schema, its canonical form and its CRC-64-AVRO fingerprint."""
    schema = state(ctx).project().registry.get(subject, version)
    if as_json:
        emit_json(
            {
                "subject": subject,
                "version": schema.version,
                "fingerprint": schema.fingerprint_hex,
                "canonical_form": schema.canonical_form,
                "schema": schema.definition,
            }
        )
        return
    console.print(f"[bold]{subject}[/] v{schema.version}  fingerprint {schema.fingerprint_hex}")
    console.print(Syntax(schema.to_json(), "json"))


@app.command("check", epilog="Example: govbus schemas check  (exits 2 on a breaking change)")
def check(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Check every subject's versions against its compatibility mode."""
    registry = state(ctx).project().registry
    problems = registry.check()
    if as_json:
        emit_json({"subjects": len(registry.subjects), "problems": [str(p) for p in problems]})
    elif not problems:
        console.print(f"[green]ok[/] {len(registry.subjects)} subjects, every version compatible with its mode")
    for problem in problems:
        err_console.print(f"[red]breaking:[/] {problem}", highlight=False)
    if problems:
        raise CompatibilityError(f"{len(problems)} breaking schema change(s)")
