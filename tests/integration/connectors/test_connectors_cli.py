"""``govbus connectors list|lint|run|status`` on a real project, broker and store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from connector_conformance import feed_of
from connector_feeds import QUARANTINED_POSTCODE, FileDropFeed, OutboxFeed, TableFeed, moves
from typer.testing import CliRunner

from govbus.cli import connectors
from govbus.cli.context import CliState


def _cli() -> typer.Typer:
    """The root as govbus builds it, with only this group under it."""
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context, project: Annotated[Optional[Path], typer.Option("--project")] = None) -> None:
        ctx.obj = CliState(project_dir=project)

    app.add_typer(connectors.app, name="connectors")
    return app


def _invoke(feed, *args: str):
    result = CliRunner().invoke(_cli(), ["--project", str(feed.project.root), "connectors", *args])
    assert result.exit_code == 0, result.output
    return result


class TestConnectorCommands:
    feed = feed_of(FileDropFeed)

    def test_run_then_status_show_the_counts_and_where_it_resumes(self, feed):
        feed.add(moves(1, 5) + moves(60, 1, QUARANTINED_POSTCODE))
        run = json.loads(_invoke(feed, "run", feed.definition.name, "--json").stdout)
        assert (run["read"], run["sent"], run["quarantined"], run["balanced"]) == (6, 5, 1, True)
        (status,) = json.loads(_invoke(feed, "status", "--json").stdout)
        assert status["connector"] == feed.definition.name
        assert status["last_run"]["status"] == "finished"
        assert status["last_run"]["counts"] == {"read": 6, "sent": 5, "quarantined": 1, "rejected": 0, "failed": 0}
        assert status["position"]["file"] == "moves-001.jsonl"
        shown = _invoke(feed, "status").stdout
        assert feed.definition.name in shown and "sent 5" in shown


class TestSecretsStayHidden:
    feed = feed_of(OutboxFeed, database="sqlite")

    def test_list_masks_passwords_and_lint_passes(self, feed, monkeypatch):
        monkeypatch.setenv("POPULATION_DB_URL", "postgresql+psycopg://population:s3cret-pw@db.pop.example/register")
        listed = _invoke(feed, "list", "--json")
        assert "s3cret-pw" not in listed.stdout
        (entry,) = json.loads(listed.stdout)
        assert entry["where"] == "postgresql+psycopg://population:***@db.pop.example/register"
        assert entry["topic"] == feed.project.moves
        assert "0 error(s)" in _invoke(feed, "lint").stdout

    def test_an_unknown_connector_is_named_with_the_known_ones(self, feed):
        result = CliRunner().invoke(_cli(), ["--project", str(feed.project.root), "connectors", "run", "tax-roll"])
        assert result.exit_code != 0
        assert f"unknown connector 'tax-roll' (known: {feed.definition.name})" in str(result.exception)


class TestStartingOver:
    feed = feed_of(TableFeed, database="sqlite")

    def test_from_start_forgets_the_cursor_and_reads_the_table_again(self, feed):
        feed.add(moves(1, 4))
        assert json.loads(_invoke(feed, "run", feed.definition.name, "--json").stdout)["read"] == 4
        assert json.loads(_invoke(feed, "run", feed.definition.name, "--json").stdout)["read"] == 0
        assert json.loads(_invoke(feed, "run", feed.definition.name, "--from-start", "--json").stdout)["read"] == 4
