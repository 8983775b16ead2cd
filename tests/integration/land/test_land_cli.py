"""``govbus land`` as an operator runs it: a summary per topic, JSON for scripts, reruns harmless."""

from __future__ import annotations

import json

import typer
from land_bus import publish
from typer.testing import CliRunner

from govbus.cli import land as land_cli
from govbus.cli import store as store_cli
from govbus.cli.context import CliState


def govbus(project, *args: str):
    """The land and store commands as ``govbus`` wires them, run in-process."""
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = CliState(project_dir=project.root)

    land_cli.register(app)
    app.add_typer(store_cli.app, name="store")
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "300"})


def test_land_prints_what_landed_per_topic_and_a_rerun_lands_nothing(land_project, fresh_store, kafka_settings, monkeypatch, resident):
    monkeypatch.setenv("GOVBUS_STORE_URL", fresh_store.url)
    publish(land_project, land_project.people, [resident(n) for n in range(12)], kafka_settings)

    first = govbus(land_project, "land", "--topic", land_project.people, "--idle", "1")
    again = govbus(land_project, "land", "--topic", land_project.people, "--idle", "1", "--json")

    assert first.exit_code == 0, first.output
    assert land_project.people in first.output and "landed 12" in first.output
    assert again.exit_code == 0, again.output
    receipt = json.loads(again.stdout)
    assert (receipt["consumed"], receipt["landed"], receipt["balanced"]) == (0, 0, True)


def test_a_fresh_project_lands_into_its_embedded_store_without_setup(land_project, kafka_settings, monkeypatch):
    monkeypatch.delenv("GOVBUS_STORE_URL", raising=False)
    publish(land_project, land_project.moves, [{"national_id": "x1", "street": "s", "postcode": "1", "city": "c"}], kafka_settings, version=1)

    result = govbus(land_project, "land", "--idle", "1", "--max", "1", "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["topics"][land_project.moves]["landed"] == 1
    info = json.loads(govbus(land_project, "store", "info", "--json").stdout)
    assert info["url"] == f"sqlite:///{land_project.state_dir / 'govbus.db'}"
    assert info["tables"]["consumer_offset"] == 1
