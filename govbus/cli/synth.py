"""Generate the synthetic country: people, agency records with realistic noise, and the truth."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from govbus.cli.context import console, emit_json, err_console
from govbus.errors import ConfigurationError
from govbus.synthetic.files import FORMATS, write_country
from govbus.synthetic.noise import NoiseRates

app = typer.Typer(no_args_is_help=True)

_NOISE_NAMES = ", ".join(f.name for f in fields(NoiseRates))


def noise_rates(overrides: list[str]) -> NoiseRates:
    """``["name_typo=0.05", ...]`` -> noise rates with those changed from the defaults."""
    values: dict[str, float] = {}
    for override in overrides:
        name, _, value = override.partition("=")
        if name not in {f.name for f in fields(NoiseRates)}:
            raise ConfigurationError(f"unknown noise rate {name!r}; valid: {_NOISE_NAMES}")
        try:
            values[name] = float(value)
        except ValueError:
            raise ConfigurationError(f"noise rate {name}: {value!r} is not a number") from None
    try:
        return NoiseRates(**values)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc


@app.command(
    "generate",
    epilog="Example: govbus synth generate --people 10000 --seed 7 --out build/country --events",
)
def generate(
    people: Annotated[int, typer.Option("--people", min=1, help="How many people live in the country.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write sources/, truth/, cases/ (and events/) into.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives byte-identical files.")] = 1,
    file_format: Annotated[str, typer.Option("--format", help=f"Table format: {' or '.join(FORMATS)}.")] = "parquet",
    events: Annotated[bool, typer.Option("--events", help="Also write events/<subject>.jsonl for `govbus publish`.")] = False,
    noise: Annotated[
        Optional[list[str]], typer.Option("--noise", help=f"Override a noise rate, NAME=RATE (repeatable): {_NOISE_NAMES}.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON.")] = False,
) -> None:
    """Generate a seeded synthetic country: every agency's records of its people, with the truth apart."""
    rates = noise_rates(noise or [])
    if as_json:
        manifest = write_country(out, people, seed, rates, file_format, events)
        emit_json(manifest)
        return
    with Progress(TextColumn("generating people"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err_console) as bar:
        task = bar.add_task("generate", total=people)
        manifest = write_country(out, people, seed, rates, file_format, events, on_progress=lambda n: bar.update(task, completed=n))
    table = Table("source", "records")
    for source, count in manifest["records"].items():
        table.add_row(source, f"{count:,}")
    console.print(table)
    console.print(f"[green]wrote[/] {people:,} people (seed {seed}) to {out}; the truth is in {out / 'truth'}", highlight=False)
