"""``govbus store migrate`` and ``govbus store info``: what an operator sees, password masked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from govbus.cli import store as store_cli
from govbus.cli.context import CliState

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def govbus(tmp_path, empty_store, monkeypatch):
    """Run ``govbus store ...`` in-process against the fresh store."""
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    shutil.copy(REPO / "govbus.yaml", tmp_path / "govbus.yaml")
    monkeypatch.setenv("GOVBUS_STORE_URL", empty_store.url)
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = CliState(project_dir=tmp_path)

    app.add_typer(store_cli.app, name="store")
    return lambda *args: CliRunner().invoke(app, ["store", *args], env={"COLUMNS": "300"})


def test_info_before_and_after_migrating_twice(govbus, empty_store):
    before = json.loads(govbus("info", "--json").stdout)
    assert (before["revisions"], before["tables"]) == ([], {})

    assert govbus("migrate").exit_code == 0
    second = govbus("migrate", "--json")
    assert second.exit_code == 0, second.output
    after = json.loads(govbus("info", "--json").stdout)

    assert after["dialect"] == empty_store.dialect
    assert json.loads(second.stdout)["revisions"] == after["revisions"] != []
    assert {"consumer_offset": 0, "connector_cursor": 0}.items() <= after["tables"].items()


def test_the_password_never_shows(govbus, empty_store):
    shown = govbus("info")
    assert shown.exit_code == 0, shown.output
    assert str(empty_store) in shown.output
    password = empty_store.engine.url.password
    if password:
        assert f":{password}@" not in shown.output and ":***@" in shown.output
