"""``govbus connectors lint``: each definition against the project, the schema registry and the contracts.

It needs no database and no secrets: a variable that is not set is a warning, because the machine
that lints (CI) is rarely the one that runs the connector.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from pydantic import ValidationError

from govbus.connectors.definition import ConnectorDefinition, Direction, Mode, variables_in
from govbus.connectors.kinds import connector_class
from govbus.connectors.mapping import TRANSFORMS
from govbus.contracts.field_types import field_type
from govbus.contracts.lint import LintReport
from govbus.contracts.loader import Problem, compose, load_contract_files
from govbus.errors import ConfigurationError
from govbus.project import Project

PRESETS = {"@once", "@continuous", "@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly"}
_CRON_FIELD = re.compile(r"^[\d*/,\-A-Za-z?LW#]+$")
_LITERAL_PASSWORD = re.compile(r"://[^/@:]+:(?!\$\{)[^@]+@")
# Which Python values an Avro kind accepts, for constants and transform results.
_FITS = {"string": {"string"}, "enum": {"string"}, "long": {"long"}, "int": {"long"}, "double": {"double", "long"}, "float": {"double", "long"}}


@dataclass
class _Located:
    path: Path
    lines: dict

    def problem(self, message: str, *where: Any, level: str = "error") -> Problem:
        for end in range(len(where), -1, -1):
            if where[:end] in self.lines:
                return Problem(self.path, self.lines[where[:end]], message, level)
        return Problem(self.path, 1, message, level)


def lint_connectors(project: Project) -> LintReport:
    """Every definition in ``connectors/``; problems are collected, not raised."""
    folder = project.connectors_dir
    files = sorted(folder.glob("*.y*ml")) if folder.is_dir() else []
    contracts = [f.contract for f in load_contract_files(project.contracts_dir) if f.contract is not None]
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    for path in files:
        data, lines, found = compose(path.read_text(encoding="utf-8"), path)
        problems += found
        at = _Located(path, lines)
        try:
            definition = ConnectorDefinition.model_validate(data or {})
        except ValidationError as exc:
            problems += [at.problem(f"{'.'.join(map(str, e['loc'])) or '(top)'}: {e['msg']}", *e["loc"]) for e in exc.errors()]
            continue
        if definition.name in seen:
            problems.append(at.problem(f"connector name {definition.name!r} is already used by {seen[definition.name]}", "name"))
        seen[definition.name] = path
        problems += _lint_definition(definition, project, contracts, at)
    return LintReport(files, sorted(problems, key=lambda p: (str(p.path), p.line)))


def _lint_definition(definition: ConnectorDefinition, project: Project, contracts: list, at: _Located) -> Iterator[Problem]:
    try:
        connector = connector_class(definition.kind, definition.direction)
    except ConfigurationError as exc:
        yield at.problem(str(exc), "kind")
        return
    if definition.agency not in project.agencies:
        yield at.problem(f"unknown agency {definition.agency!r} (known: {', '.join(sorted(project.agencies))})", "agency")
        return
    yield from _settings(definition, connector, at)
    try:
        topic = project.topic(definition.topic_name(project))
        schema = project.registry.get(definition.subject)
    except ConfigurationError as exc:
        yield at.problem(str(exc), "topic" if definition.topic else "subject")
        return
    if topic.subject != definition.subject:
        yield at.problem(f"topic {topic.name} carries {topic.subject}, not {definition.subject}", "topic")
    if definition.direction is Direction.source and topic.provider != definition.agency:
        yield at.problem(f"{definition.agency} may not publish to {topic.name}: its provider is {topic.provider}", "agency")
    yield from _mapping(definition, schema, at)
    yield from _contract(definition, topic.name, contracts, at)


def _settings(definition: ConnectorDefinition, connector: type, at: _Located) -> Iterator[Problem]:
    """What the kind's capabilities ask of the definition, its secrets and its schedule."""
    if getattr(connector, "reads_database", True) or definition.direction is Direction.sink:
        if not definition.url:
            yield at.problem(f"a {definition.kind} {definition.direction.value} needs url:", "kind")
        if not (definition.table or definition.query) and definition.kind != "outbox":
            yield at.problem(f"a {definition.kind} {definition.direction.value} needs table: or query:", "kind")
    if getattr(connector, "needs_cursor", False) and definition.mode is Mode.incremental and not definition.cursor:
        yield at.problem("an incremental run needs cursor: (a column that grows with every change)", "mode")
    if definition.mode is Mode.snapshot and not getattr(connector, "snapshot", False):
        yield at.problem(f"kind {definition.kind} has no snapshot mode", "mode")
    if definition.url and _LITERAL_PASSWORD.search(definition.url):
        yield at.problem("url: holds a password; write url: ${AGENCY_DB_URL} and set the variable instead", "url")
    texts = [definition.url] + [v for v in definition.options.values() if isinstance(v, str)]
    for name in sorted({v for text in texts for v in variables_in(text)}):
        if name not in os.environ:
            yield at.problem(f"environment variable {name} is not set here; the connector needs it to run", "url", level="warning")
    if definition.schedule is not None and not _schedule_ok(definition.schedule):
        yield at.problem(f"schedule {definition.schedule!r} is neither a preset ({', '.join(sorted(PRESETS))}) nor a cron expression", "schedule")


def _mapping(definition: ConnectorDefinition, schema, at: _Located) -> Iterator[Problem]:
    fields = {f["name"]: f for f in schema.definition["fields"]}
    columns = definition.columns()
    for name, spec in columns.items():
        if name not in fields:
            yield at.problem(f"{schema.subject} v{schema.version} has no field {name!r} (fields: {', '.join(fields)})", "mapping", name)
            continue
        unknown = [t for t in spec.transform if t not in TRANSFORMS]
        if unknown:
            yield at.problem(f"unknown transform {unknown[0]!r} (known: {', '.join(TRANSFORMS)})", "mapping", name)
            continue
        produced = _produces(spec)
        kind = field_type(fields[name])
        if produced and kind.kind in _FITS and produced not in _FITS[kind.kind]:
            yield at.problem(f"field {name!r} is {kind} but the mapping gives a {produced}", "mapping", name)
    if columns and definition.direction is Direction.source:
        for name, field in fields.items():
            if name not in columns and "default" not in field:
                yield at.problem(f"field {name!r} has no default and is not mapped", "mapping")


def _produces(spec) -> str | None:
    """The Avro kind a field's mapping yields, where it can be told without the database."""
    for name in reversed(spec.transform):
        if TRANSFORMS[name][1]:
            return TRANSFORMS[name][1]
    if spec.columns:
        return "string"
    if spec.column is None and spec.value is not None:
        return {str: "string", bool: "boolean", int: "long", float: "double"}.get(type(spec.value))
    return None


def _contract(definition: ConnectorDefinition, topic: str, contracts: list, at: _Located) -> Iterator[Problem]:
    governing = [c for c in contracts if c.dataset.topic == topic]
    if not governing:
        yield at.problem(f"no contract in contracts/ covers {topic}; events go out unchecked", "subject", level="warning")
    for contract in governing:
        if definition.direction is Direction.source and contract.provider != definition.agency:
            yield at.problem(f"contract {contract.id} names {contract.provider} as provider, not {definition.agency}", "agency")
        if definition.direction is Direction.sink and definition.agency not in contract.consumers:
            yield at.problem(
                f"{definition.agency} is not a consumer under contract {contract.id} ({contract.agreement.ref}); "
                f"consumers: {', '.join(contract.consumers)}",
                "agency",
            )


def _schedule_ok(schedule: str) -> bool:
    if schedule.startswith("@"):
        return schedule in PRESETS
    parts = schedule.split()
    return len(parts) == 5 and all(_CRON_FIELD.match(part) for part in parts)
