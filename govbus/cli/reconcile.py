"""Link agency records of the same people with the declared Splink model; train it; measure it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional, TypeVar

import pandas as pd
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from govbus.cli.context import console, emit_json, err_console, state
from govbus.errors import ConfigurationError, ViolationError
from govbus.reconcile.accuracy import measure
from govbus.reconcile.mapping import load_mappings, standardise
from govbus.reconcile.model import TrainedModel, train
from govbus.reconcile.model_config import load_model_config
from govbus.reconcile.run import LinkRun, link_sources, read_sources
from govbus.reconcile.tables import read_table, write_table

app = typer.Typer(no_args_is_help=True)
T = TypeVar("T")

SourceOption = Annotated[list[str], typer.Option("--source", help="A source as NAME=PATH (.csv or .parquet); repeat for each.")]
MappingOption = Annotated[Optional[Path], typer.Option("--mapping", help="Source mapping file (default: reconcile/sources.yaml).")]
ConfigOption = Annotated[Optional[Path], typer.Option("--model-config", help="Model file (default: reconcile/person_model.yaml).")]
BackendOption = Annotated[str, typer.Option("--backend", help="Where Splink runs: duckdb or spark.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON summary for scripts.")]


@app.callback()
def _quiet_splink(ctx: typer.Context) -> None:
    # Splink narrates every training step; the commands report what matters, --debug shows all.
    logging.getLogger("splink").setLevel(logging.DEBUG if state(ctx).debug else logging.ERROR)


def parse_sources(options: list[str]) -> dict[str, Path]:
    """``["tax=tax.csv", ...]`` -> ``{"tax": Path("tax.csv")}``."""
    sources: dict[str, Path] = {}
    for option in options:
        name, sep, path = option.partition("=")
        if not sep or not name or not path:
            raise ConfigurationError(f"--source {option!r}: use NAME=PATH, e.g. --source tax=tax.csv")
        if name in sources:
            raise ConfigurationError(f"--source {name} given twice")
        sources[name] = Path(path)
    return sources


def _project_file(ctx: typer.Context, given: Optional[Path], default: str) -> Path:
    return given or (state(ctx).project_dir or Path.cwd()) / default


def _run_with_progress(as_json: bool, work: Callable[[Callable[[str], None] | None], T]) -> T:
    """Run ``work(on_step)``, showing each step with a spinner unless output is JSON."""
    if as_json:
        return work(None)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console) as bar:
        task = bar.add_task("reading sources")
        return work(lambda step: bar.update(task, description=step))


@app.command("link", epilog="Example: govbus reconcile link --source population=pop.parquet --source tax=tax.csv --out links.csv")
def link(
    ctx: typer.Context,
    source: SourceOption,
    out: Annotated[Path, typer.Option("--out", help="Where to write source, record_id, person_id, match_probability (.csv or .parquet).")],
    mapping: MappingOption = None,
    model_config: ConfigOption = None,
    model_file: Annotated[Optional[Path], typer.Option("--model", help="Trained model JSON (default: the config's model_file).")] = None,
    retrain: Annotated[bool, typer.Option("--train", help="Train the model on these sources instead of loading one.")] = False,
    review_out: Annotated[Optional[Path], typer.Option("--review-out", help="Also write the pairs a steward should review.")] = None,
    backend: BackendOption = "duckdb",
    as_json: JsonOption = False,
) -> None:
    """Link records of the same people across sources and write each record's person."""
    mappings = load_mappings(_project_file(ctx, mapping, "reconcile/sources.yaml"))
    config = load_model_config(_project_file(ctx, model_config, "reconcile/person_model.yaml"))
    model = None if retrain else TrainedModel.load(config, model_file)

    def work(on_step: Callable[[str], None] | None) -> LinkRun:
        frames = read_sources(parse_sources(source))
        return link_sources(frames, mappings, config, model, backend, on_step)

    run = _run_with_progress(as_json, work)
    write_table(run.person_links(), out)
    if review_out:
        write_table(run.review_pairs(), review_out)
    summary = {**run.summary(), "out": str(out)}
    if as_json:
        emit_json(summary)
        return
    console.print(
        f"[green]linked[/] {summary['records']:,} records into {summary['people']:,} people with "
        f"{summary['model_version']}: {summary['pairs_merged']:,} pairs merged at >= {summary['auto_merge_threshold']}, "
        f"{summary['pairs_for_review']:,} for review; wrote {out}",
        highlight=False,
    )


@app.command("train", epilog="Example: govbus reconcile train --source population=pop.parquet --source tax=tax.parquet")
def train_model(
    ctx: typer.Context,
    source: SourceOption,
    out: Annotated[Optional[Path], typer.Option("--out", help="Where to save the model JSON (default: the config's model_file).")] = None,
    mapping: MappingOption = None,
    model_config: ConfigOption = None,
    backend: BackendOption = "duckdb",
    as_json: JsonOption = False,
) -> None:
    """Train the declared model on unlabelled sources and save it with its version."""
    mappings = load_mappings(_project_file(ctx, mapping, "reconcile/sources.yaml"))
    config = load_model_config(_project_file(ctx, model_config, "reconcile/person_model.yaml"))

    def work(on_step: Callable[[str], None] | None) -> TrainedModel:
        frames = read_sources(parse_sources(source))
        (on_step or (lambda _: None))("train")
        return train(standardise(frames, mappings), config, backend)

    model = _run_with_progress(as_json, work)
    path = model.save(out)
    if as_json:
        emit_json({"model_version": model.version, "path": str(path)})
    else:
        console.print(f"[green]trained[/] {model.version}; saved to {path}", highlight=False)


@app.command("evaluate", epilog="Example: govbus reconcile evaluate --links links.csv --truth build/country --min-precision 0.999")
def evaluate(
    links: Annotated[Path, typer.Option("--links", help="Output of `govbus reconcile link`.")],
    truth: Annotated[Path, typer.Option("--truth", help="A synthetic country folder, or a table of source, record_id, person_id.")],
    min_precision: Annotated[float, typer.Option("--min-precision", help="Fail (exit 2) below this pair precision.")] = 0.0,
    min_recall: Annotated[float, typer.Option("--min-recall", help="Fail (exit 2) below this pair recall.")] = 0.0,
    as_json: JsonOption = False,
) -> None:
    """Measure linked records against the truth: precision, recall and F1 on pairs and clusters."""
    linked = read_table(links)
    known = _truth_table(truth)
    keyed = linked.assign(unique_id=linked["source"] + ":" + linked["record_id"].astype(str), cluster_id=linked["person_id"])
    known = known.assign(unique_id=known["source"] + ":" + known["record_id"].astype(str))
    accuracy = measure(keyed, known[known["unique_id"].isin(keyed["unique_id"])])
    if as_json:
        emit_json(accuracy.to_dict())
    else:
        for level, scores in accuracy.to_dict().items():
            console.print(
                f"{level:8} precision {scores['precision']:.5f}  recall {scores['recall']:.5f}  f1 {scores['f1']:.5f}  "
                f"(false positives {scores['false_positives']:,}, false negatives {scores['false_negatives']:,})"
            )
    if not accuracy.meets(min_precision, min_recall):
        raise ViolationError(f"below target: pair precision >= {min_precision} and recall >= {min_recall} not met")


def _truth_table(path: Path) -> pd.DataFrame:
    """Truth as ``source, record_id, person_id``: from a country folder's truth/ or one table."""
    if path.is_dir():
        return pd.concat(
            [read_table(file).assign(source=file.stem) for file in sorted((path / "truth").glob("*.*")) if file.stem != "people"],
            ignore_index=True,
        )
    return read_table(path)
