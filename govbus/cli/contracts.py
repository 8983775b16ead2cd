"""Lint, diff and validate data contracts, and build the stewards' agreement report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from govbus.cli.context import console, emit_json, err_console, state
from govbus.contracts.availability import probe_topics
from govbus.contracts.diff import Change, diff_contracts
from govbus.contracts.history import record_run
from govbus.contracts.lint import lint_project
from govbus.contracts.loader import ContractFile, load_contract_file, load_contract_files, load_contracts
from govbus.contracts.model import Contract
from govbus.contracts.revisions import contract_files_at, is_revision
from govbus.contracts.results import ValidationRun
from govbus.errors import ConfigurationError
from govbus.project import Project
from govbus.reports.build import build_agreement_report
from govbus.reports.paths import report_path, reports_dir
from govbus.store import Store

app = typer.Typer(no_args_is_help=True)
STATUS_COLOUR = {"passed": "green", "warning": "yellow", "failed": "red", "error": "magenta"}


@app.command("lint", epilog="Example: govbus contracts lint --json")
def lint(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False) -> None:
    """Check every contract against the schema registry, govbus.yaml and the other contracts."""
    report = lint_project(state(ctx).project())
    if as_json:
        emit_json(report.to_dict())
    else:
        for problem in report.problems:
            colour = "red" if problem.level == "error" else "yellow"
            console.print(f"{problem.path}:{problem.line}: [{colour}]{problem.level}[/]: {problem.message}", highlight=False, soft_wrap=True)
        console.print(f"{len(report.files)} contract(s): {len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    if report.errors:
        raise typer.Exit(code=1)


@app.command(
    "diff",
    epilog="Example: govbus contracts diff old/population-address-changes.yaml contracts/population-address-changes.yaml\n\n"
    "Example: govbus contracts diff git:origin/main contracts/\n\n"
    "OLD may be git:REV (NEW's path at that revision) or git:REV:PATH. Both may be folders: contracts are "
    "paired by id. Exits 2 when any change is breaking.",
)
def diff(
    old: Annotated[str, typer.Argument(help="The contract (or folder of contracts) before the change, or git:REV[:PATH].")],
    new: Annotated[Path, typer.Argument(exists=True, help="The contract (or folder of contracts) after the change.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Classify each change as breaking (someone bound by the agreement must act) or not."""
    found: list[tuple[ContractFile, Change]] = []
    for before, after in _pairs(old, new):
        if after is None:
            found.append((before, Change("id", f"contract {before.contract.id} was removed", True)))
            continue
        changes = [Change("id", f"contract {after.contract.id} is new", False)] if before is None else diff_contracts(before.contract, after.contract)
        found += [(after, change) for change in changes]
    breaking = [change for _, change in found if change.breaking]
    if as_json:
        emit_json({"breaking": len(breaking), "changes": [{"file": str(f.path), **c.to_dict()} for f, c in found]})
    else:
        for contract_file, change in found:
            colour = "red" if change.breaking else "green"
            line = contract_file.line(*change.where.split("."))
            console.print(f"{contract_file.path}:{line}: [{colour}]{'BREAKING' if change.breaking else 'compatible'}[/] {change.where}: {change.message}", highlight=False, soft_wrap=True)
        console.print(f"{len(found)} change(s), {len(breaking)} breaking")
    if breaking:
        raise typer.Exit(code=2)


def _pairs(old: str, new: Path) -> list[tuple[ContractFile | None, ContractFile | None]]:
    news = load_contract_files(new) if new.is_dir() else [load_contract_file(new)]
    if is_revision(old):
        olds = contract_files_at(old, new)
    else:
        old_path = Path(old)
        if not old_path.exists():
            raise ConfigurationError(f"{old}: no such contract file or folder (or give git:REV)")
        if old_path.is_dir() != new.is_dir():
            raise ConfigurationError("give two contract files or two folders of contracts")
        olds = load_contract_files(old_path) if old_path.is_dir() else [load_contract_file(old_path)]
    for contract_file in olds + news:
        if contract_file.contract is None:
            raise ConfigurationError(f"{contract_file.problems[0]} (fix it first; `govbus contracts lint` shows all)")
    if not new.is_dir():
        return [(olds[0] if olds else None, news[0])]
    before = {f.contract.id: f for f in olds}
    after = {f.contract.id: f for f in news}
    return [(before.get(i), after.get(i)) for i in sorted(before.keys() | after.keys())]


@app.command(
    "validate",
    epilog="Example: govbus contracts validate post-change-of-address --file notices.csv\n\n"
    "Example: govbus contracts validate population-address-changes --table landed_address_changes",
)
def validate(
    ctx: typer.Context,
    contract_id: Annotated[str, typer.Argument(help="Contract id, or the topic it covers.")],
    file: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False, help="A landed batch as CSV or Parquet.")] = None,
    table: Annotated[Optional[str], typer.Option(help="A landed table in the store (or in --url).")] = None,
    url: Annotated[Optional[str], typer.Option(help="SQLAlchemy URL of the database holding --table (default: the store).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the validation run as JSON.")] = False,
) -> None:
    """Validate one landed batch with GX, keep the result in the store and rebuild the reports."""
    # Great Expectations takes seconds to import, so only the commands that run it pay for it.
    from govbus.contracts.batch_files import read_batch
    from govbus.contracts.batches import TableBatch
    from govbus.contracts.validate import validate_batch

    project = state(ctx).project()
    contract = _contract(project, contract_id)
    store = _store(project)
    if (file is None) == (table is None):
        raise ConfigurationError("give exactly one of --file or --table")
    with err_console.status(f"validating {file or table} against {contract.id}"):
        if file:
            batch = read_batch(project, contract, file)
        else:
            schema, _, name = table.rpartition(".")
            batch = TableBatch(url or store.url, name, schema or None)
        run = validate_batch(project, contract, batch)
        record_run(store, run)
        build_agreement_report(project, store)
    if as_json:
        emit_json(run.to_dict())
    else:
        _print_run(run, reports_dir(project))
        console.print(f"Agreement report: {report_path(project)}", highlight=False, soft_wrap=True)
    if run.status.value in {"failed", "error"}:
        raise typer.Exit(code=2)


@app.command(
    "probe",
    epilog="Example: govbus contracts probe --json\n\n"
    "Run it on a schedule (every few minutes): the agreement report shows each agreement's availability as the "
    "share of hourly windows in which every probe found its topic accepting publishes.",
)
def probe(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False) -> None:
    """Check that each contract's topic can accept publishes now, and keep the outcome for availability."""
    project = state(ctx).project()
    with err_console.status("probing the contracts' topics"):
        probes = probe_topics(project, _store(project))
    if as_json:
        emit_json([p.to_dict() for p in probes])
        return
    table = Table("agreement", "topic", "available", "detail")
    for found in probes:
        table.add_row(found.agreement, found.topic, "[green]yes[/]" if found.available else "[red]no[/]", found.detail)
    console.print(table)


@app.command("report", epilog="Example: govbus contracts report")
def report(ctx: typer.Context) -> None:
    """Rebuild the GX Data Docs and the agreement report from the validation history."""
    from govbus.contracts.gx_context import build_data_docs

    project = state(ctx).project()
    build_data_docs(project)
    console.print(f"agreement report: {build_agreement_report(project, _store(project))}")


def _contract(project: Project, wanted: str) -> Contract:
    contracts = load_contracts(project.contracts_dir)
    for contract in contracts:
        if wanted in (contract.id, contract.dataset.topic):
            return contract
    known = ", ".join(sorted(c.id for c in contracts)) or "none"
    raise ConfigurationError(f"no contract {wanted!r} in {project.contracts_dir} (known: {known})")


def _store(project: Project) -> Store:
    store = Store.for_project(project)
    store.migrate()
    return store


def _print_run(run: ValidationRun, reports: Path) -> None:
    colour = STATUS_COLOUR[run.status.value]
    console.print(
        f"[bold]{run.agreement}[/] {run.contract} v{run.contract_version}: {run.batch}, {run.row_count or 0:,} rows: "
        f"[{colour}]{run.status.value}[/] in {run.seconds:.1f}s",
        highlight=False,
    )
    table = Table("clause", "status", "failing", "samples", "requirement")
    for clause in run.clauses():
        value = clause.status.value
        table.add_row(clause.clause, f"[{STATUS_COLOUR[value]}]{value}[/]", f"{clause.failing_count:,}", ", ".join(clause.sample_values[:3]), clause.text)
    console.print(table)
    if run.data_docs:
        console.print(f"Data Docs: {reports / run.data_docs}", highlight=False, soft_wrap=True)
