"""``govbus reconcile link|train|evaluate`` on files, as a data engineer trying a new dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from govbus.cli import reconcile
from govbus.cli.context import CliState
from govbus.synthetic.files import write_country

REPO_ROOT = Path(__file__).resolve().parents[3]


def _cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = CliState(project_dir=REPO_ROOT)

    app.add_typer(reconcile.app, name="reconcile")
    return app


@pytest.fixture(scope="module")
def country_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("country")
    write_country(folder, 800, seed=31, file_format="csv")
    return folder


def _sources(folder: Path, names: tuple[str, ...]) -> list[str]:
    return [arg for name in names for arg in ("--source", f"{name}={folder / 'sources' / f'{name}.csv'}")]


def test_link_writes_each_records_person_and_a_summary(country_dir: Path, tmp_path: Path) -> None:
    out, review = tmp_path / "links.parquet", tmp_path / "review.csv"
    names = ("population", "tax", "social", "migration", "municipality", "post")
    result = CliRunner().invoke(
        _cli(), ["reconcile", "link", *_sources(country_dir, names), "--out", str(out), "--review-out", str(review), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    links = pd.read_parquet(out)
    assert list(links.columns) == ["source", "record_id", "person_id", "match_probability"]
    assert len(links) == summary["records"] and summary["people"] == links["person_id"].nunique()
    assert summary["model_version"].startswith("person-v1@")
    assert (links["match_probability"].dropna() >= summary["auto_merge_threshold"]).all()
    assert review.exists()

    measured = CliRunner().invoke(
        _cli(), ["reconcile", "evaluate", "--links", str(out), "--truth", str(country_dir), "--min-precision", "0.999",
                 "--min-recall", "0.99", "--json"]
    )
    assert measured.exit_code == 0, measured.output
    assert json.loads(measured.stdout)["pairs"]["precision"] >= 0.999


def test_evaluate_fails_below_the_target(country_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "links.csv"
    CliRunner().invoke(_cli(), ["reconcile", "link", *_sources(country_dir, ("population", "tax")), "--out", str(out)])
    everyone_alone = pd.read_csv(out).assign(person_id=lambda f: f["source"] + f["record_id"])
    everyone_alone.to_csv(out, index=False)
    result = CliRunner().invoke(_cli(), ["reconcile", "evaluate", "--links", str(out), "--truth", str(country_dir), "--min-recall", "0.9"])
    assert result.exit_code != 0 and "below target" in str(result.exception)


def test_a_malformed_source_option_is_one_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(_cli(), ["reconcile", "link", "--source", "population.csv", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code != 0 and "use NAME=PATH" in str(result.exception)
