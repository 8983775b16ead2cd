"""State shared by every command: the project folder and the output style."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from govbus.project import Project, load_project
from govbus.security.credentials import adopt_credentials

console = Console()
# Errors stay on one line each, so scripts and CI logs can grep them.
err_console = Console(stderr=True, soft_wrap=True)


@dataclass
class CliState:
    project_dir: Path | None = None
    debug: bool = False

    def project(self) -> Project:
        """The project; every broker client after this authenticates as the admin ``govbus up`` kept
        (or ``GOVBUS_PRINCIPAL``), unless the environment names a SASL user itself."""
        project = load_project(self.project_dir)
        adopt_credentials(project)
        return project


def state(ctx: typer.Context) -> CliState:
    return ctx.find_root().obj


def emit_json(payload: Any) -> None:
    """Write one JSON document to stdout for scripts (``--json``)."""
    sys.stdout.write(json.dumps(payload, default=str, sort_keys=True) + "\n")
