"""Registers each command group; a group lives in its own module."""

from __future__ import annotations

import importlib

import typer

# (module, sub-command name or None for top-level commands)
_GROUPS: list[tuple[str, str | None]] = [
    ("govbus.cli.stack", None),
    ("govbus.cli.schemas", "schemas"),
    ("govbus.cli.topics", "topics"),
    ("govbus.cli.publish", None),
    ("govbus.cli.tail", None),
    ("govbus.cli.dlq", "dlq"),
    ("govbus.cli.contracts", "contracts"),
    ("govbus.cli.quarantine", "quarantine"),
    ("govbus.cli.synth", "synth"),
    ("govbus.cli.reconcile", "reconcile"),
    ("govbus.cli.connectors", "connectors"),
    ("govbus.cli.land", None),
    ("govbus.cli.store", "store"),
    ("govbus.cli.review", "review"),
    ("govbus.cli.registry", "registry"),
    ("govbus.cli.agencies", "agencies"),
    ("govbus.cli.access", "access"),
    ("govbus.cli.audit", "audit"),
    ("govbus.cli.disputes", "disputes"),
    ("govbus.cli.scenario", "scenario"),
    ("govbus.cli.case", "case"),
    ("govbus.cli.holdings", "holdings"),
]


def register(app: typer.Typer) -> None:
    for module_name, group in _GROUPS:
        module = importlib.import_module(module_name)
        if group is None:
            module.register(app)
        else:
            app.add_typer(module.app, name=group, help=module.__doc__.strip().splitlines()[0])
