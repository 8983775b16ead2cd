"""The project folder: ``govbus.yaml`` plus the declarative assets beside it.

The engine never hard-codes a deployment. Everything it needs to know about agencies and topics
is read from the project file, in the spirit of ``dbt_project.yml``.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from govbus.errors import ConfigurationError

PROJECT_FILE = "govbus.yaml"
_DURATION = re.compile(r"^(\d+)\s*(ms|s|m|h|d|w)$")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


def duration_ms(text: str | int) -> int:
    """Parse ``7d``, ``12h``, ``30m`` or a plain number of milliseconds; ``-1`` means forever."""
    if isinstance(text, int):
        return text
    if text.strip() in {"forever", "-1"}:
        return -1
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"duration {text!r} must look like 7d, 12h, 30m, 10s or 500ms")
    return int(match.group(1)) * _UNIT_MS[match.group(2)]


class AgencyKind(str, Enum):
    agency = "agency"
    private_partner = "private_partner"
    registry = "registry"


class Agency(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = ""
    name: str
    kind: AgencyKind = AgencyKind.agency
    authoritative_for: list[str] = Field(default_factory=list)


class CleanupPolicy(str, Enum):
    delete = "delete"
    compact = "compact"
    compact_delete = "compact,delete"


class Topic(BaseModel):
    """A topic carrying one subject's events, owned by the agency that provides them."""

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    subject: str
    provider: str
    key: str
    partitions: int = Field(default=3, ge=1)
    replication_factor: int = Field(default=1, ge=1)
    retention: str = "7d"
    cleanup_policy: CleanupPolicy = CleanupPolicy.delete
    dead_letter: bool = True

    @field_validator("retention")
    @classmethod
    def _retention_parses(cls, value: str) -> str:
        duration_ms(value)
        return value

    @property
    def retention_ms(self) -> int:
        return duration_ms(self.retention)

    @property
    def dead_letter_topic(self) -> str:
        return f"{self.name}.dlq"


class ProjectFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    agencies: dict[str, Agency]
    topics: dict[str, Topic] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _cross_references(self) -> "ProjectFile":
        for code, agency in self.agencies.items():
            agency.code = code
        for name, topic in self.topics.items():
            topic.name = name
            if topic.provider not in self.agencies:
                known = ", ".join(sorted(self.agencies))
                raise ValueError(
                    f"topics.{name}.provider: unknown agency {topic.provider!r} (known: {known})"
                )
        return self


class Project:
    """A loaded project folder."""

    def __init__(self, root: Path, config: ProjectFile) -> None:
        self.root = root
        self.config = config

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def agencies(self) -> dict[str, Agency]:
        return self.config.agencies

    @property
    def topics(self) -> dict[str, Topic]:
        return self.config.topics

    @property
    def schemas_dir(self) -> Path:
        return self.root / "schemas"

    @property
    def contracts_dir(self) -> Path:
        return self.root / "contracts"

    @property
    def connectors_dir(self) -> Path:
        return self.root / "connectors"

    @property
    def state_dir(self) -> Path:
        """Run-time state (broker data, logs, the embedded store); git-ignored."""
        return self.root / ".govbus"

    @cached_property
    def registry(self):
        from govbus.schemas.registry import SchemaRegistry

        return SchemaRegistry.load(self.schemas_dir)

    def topic(self, name: str) -> Topic:
        try:
            return self.topics[name]
        except KeyError:
            known = ", ".join(sorted(self.topics)) or "none declared"
            raise ConfigurationError(
                f"unknown topic {name!r} in {self.root / PROJECT_FILE} (known: {known})"
            ) from None

    def topic_for_subject(self, subject: str) -> Topic:
        for topic in self.topics.values():
            if topic.subject == subject:
                return topic
        raise ConfigurationError(f"no topic in {self.root / PROJECT_FILE} carries subject {subject!r}")


def load_project(root: Path | str | None = None) -> Project:
    """Load the project folder: ``root``, else ``GOVBUS_PROJECT``, else the current directory."""
    if root is None:
        from govbus.settings import ProjectSettings

        root = ProjectSettings().project
    root = Path(root).resolve()
    path = root / PROJECT_FILE
    if not path.is_file():
        raise ConfigurationError(
            f"no {PROJECT_FILE} in {root}: run from a project folder, or pass --project DIR "
            "or set GOVBUS_PROJECT"
        )
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from exc
    try:
        config = ProjectFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigurationError(f"{path}: {problems}") from exc
    return Project(root, config)
