"""Connector definitions: one YAML file per connector in ``connectors/``.

Secrets never sit in the files. A value such as ``url: ${TAX_DB_URL}`` names an environment
variable and is expanded only when the connector runs, so listing and linting work on a machine
that holds no secrets, and nothing prints a password.
"""

from __future__ import annotations

import os
import re
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from govbus.errors import ConfigurationError
from govbus.project import Project

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_NAME = r"^[a-z][a-z0-9_-]*$"


class Direction(str, Enum):
    """Which way data flows: onto the bus (source) or from the bus into an agency (sink)."""

    source = "source"
    sink = "sink"


class Mode(str, Enum):
    incremental = "incremental"
    snapshot = "snapshot"


class ColumnSpec(BaseModel):
    """Where one schema field comes from: a column, several joined, or a constant."""

    model_config = ConfigDict(extra="forbid")

    column: str | None = None
    columns: list[str] | None = None
    join: str = " "
    value: Any = None
    transform: list[str] = Field(default_factory=list)

    @field_validator("transform", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @property
    def source_columns(self) -> list[str]:
        return self.columns or ([self.column] if self.column else [])


class ConnectorDefinition(BaseModel):
    """One connector as written in ``connectors/<name>.yaml``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=_NAME)
    kind: str
    direction: Direction = Direction.source
    agency: str
    description: str = ""
    owner: str | None = None
    url: str | None = None
    table: str | None = None
    query: str | None = None
    key: str | None = None
    cursor: str | None = None
    subject: str
    topic: str | None = None
    mapping: dict[str, str | ColumnSpec] = Field(default_factory=dict)
    schedule: str | None = "@hourly"
    mode: Mode = Mode.incremental
    batch_size: int = Field(default=10_000, ge=1)
    # Sinks: check each event against its contract before writing it, as landing can.
    contract_gate: bool = False
    options: dict[str, Any] = Field(default_factory=dict)
    path: Path | None = Field(default=None, exclude=True)

    def columns(self) -> dict[str, ColumnSpec]:
        """The mapping with plain ``field: column`` entries spelled out."""
        return {
            field: spec if isinstance(spec, ColumnSpec) else ColumnSpec(column=spec)
            for field, spec in self.mapping.items()
        }

    def topic_name(self, project: Project) -> str:
        """The topic written (or read): as named, else the one carrying the subject."""
        return self.topic or project.topic_for_subject(self.subject).name

    def database_url(self) -> str:
        """The database URL with its secrets filled in from the environment."""
        if not self.url:
            raise ConfigurationError(f"connector {self.name}: no url: (a database URL) in {self.path}")
        return expand(self.url, f"connector {self.name} url")

    def shown_url(self) -> str:
        """The URL for people to read: the template, or the expanded URL with its password masked."""
        if not self.url:
            return ""
        try:
            return make_url(self.database_url()).render_as_string(hide_password=True)
        except (ConfigurationError, ArgumentError):
            return self.url

    def option(self, name: str, default: Any = None) -> Any:
        """A kind-specific option, with ``${VAR}`` expanded when it is text."""
        value = self.options.get(name, default)
        return expand(value, f"connector {self.name} options.{name}") if isinstance(value, str) else value


def expand(text: str, where: str) -> str:
    """Fill ``${VAR}`` and ``${VAR:-default}`` from the environment; a missing VAR is an error."""

    def substitute(match: re.Match) -> str:
        name, default = match.group(1), match.group(2)
        if name in os.environ:
            return os.environ[name]
        if default is not None:
            return default
        raise ConfigurationError(f"{where}: environment variable {name} is not set")

    return _VARIABLE.sub(substitute, text)


def variables_in(text: str | None) -> list[str]:
    """The environment variables a value needs (those without a default)."""
    return [m.group(1) for m in _VARIABLE.finditer(text or "") if m.group(2) is None]


def load_definition(path: Path) -> ConnectorDefinition:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{path}: a connector definition is a mapping of settings")
    try:
        definition = ConnectorDefinition.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigurationError(f"{path}: {problems}") from exc
    definition.path = path
    if definition.table and definition.query:
        raise ConfigurationError(f"{path}: give table: or query:, not both")
    return definition


def load_definitions(project: Project) -> dict[str, ConnectorDefinition]:
    """Every definition in the project's ``connectors/`` folder, by name."""
    definitions: dict[str, ConnectorDefinition] = {}
    folder = project.connectors_dir
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        definition = load_definition(path)
        if definition.name in definitions:
            raise ConfigurationError(
                f"{path}: connector name {definition.name!r} is already used by {definitions[definition.name].path}"
            )
        definitions[definition.name] = definition
    return definitions


def find_definition(project: Project, name: str) -> ConnectorDefinition:
    definitions = load_definitions(project)
    try:
        return definitions[name]
    except KeyError:
        known = ", ".join(sorted(definitions)) or f"none in {project.connectors_dir}"
        raise ConfigurationError(f"unknown connector {name!r} (known: {known})") from None
