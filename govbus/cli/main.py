"""Entry point: ``govbus [--project DIR] [--debug] COMMAND``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from govbus.cli import commands
from govbus.cli.context import CliState, err_console
from govbus.errors import GovbusError, ViolationError

app = typer.Typer(
    name="govbus",
    help="An event-driven data-sharing bus between government agencies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    project: Annotated[
        Optional[Path],
        typer.Option(
            "--project",
            envvar="GOVBUS_PROJECT",
            help="Project folder holding govbus.yaml (default: the current directory).",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    ctx.obj = CliState(project_dir=project, debug=debug)


commands.register(app)


def main() -> None:
    """Run the CLI: a one-line reason and a non-zero exit on error; tracebacks only with --debug."""
    debug = "--debug" in sys.argv
    try:
        # Without standalone mode, click hands back typer.Exit's code instead of exiting.
        exit_code = app(standalone_mode=False)
        if isinstance(exit_code, int) and exit_code:
            sys.exit(exit_code)
    except GovbusError as exc:
        if debug:
            raise
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        # Violations (bad data, breaking schema changes) exit 2 so CI can tell them from faults.
        sys.exit(2 if isinstance(exc, ViolationError) else 1)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a CLI
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if debug:
            raise
        err_console.print(f"[bold red]unexpected error:[/] {exc!r} (run with --debug for the traceback)")
        sys.exit(1)
