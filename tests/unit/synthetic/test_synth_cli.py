"""``govbus synth generate``: a country on disk, a JSON manifest for scripts, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from govbus.cli import synth
from govbus.cli.context import CliState


def _cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = CliState()

    app.add_typer(synth.app, name="synth")
    return app


def test_generate_writes_the_country_and_prints_its_manifest(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _cli(), ["synth", "generate", "--people", "400", "--seed", "3", "--out", str(tmp_path), "--json",
                 "--noise", "nickname=0.5", "--events"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert manifest["people"] == 400 and manifest["seed"] == 3 and manifest["noise"]["nickname"] == 0.5
    assert (tmp_path / "sources" / "population.parquet").exists()
    assert (tmp_path / "truth" / "population.parquet").exists()
    assert manifest["events"]["population.person.registered"] == manifest["records"]["population"]


def test_generate_shows_a_table_of_records_per_agency(tmp_path: Path) -> None:
    result = CliRunner().invoke(_cli(), ["synth", "generate", "--people", "300", "--out", str(tmp_path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "population" in result.stdout and (tmp_path / "sources" / "tax.csv").exists()


def test_an_unknown_noise_rate_is_refused_with_the_valid_names(tmp_path: Path) -> None:
    result = CliRunner().invoke(_cli(), ["synth", "generate", "--people", "10", "--out", str(tmp_path), "--noise", "typos=0.1"])
    assert result.exit_code != 0
    assert "unknown noise rate 'typos'" in str(result.exception) and "name_typo" in str(result.exception)
