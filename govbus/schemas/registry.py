"""A file-backed schema registry: ``schemas/<subject>/v<N>.avsc`` plus an optional ``subject.yaml``.

Versions live in git beside the code that produces them, so review and history come for free;
the registry only needs to parse, fingerprint and check them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from fastavro.schema import SchemaParseException

from govbus.errors import ConfigurationError
from govbus.schemas.compatibility import CompatibilityMode, CompatibilityProblem, check_versions
from govbus.schemas.version import SchemaVersion

_VERSION_FILE = re.compile(r"^v(\d+)\.avsc$")
_SUBJECT_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


@dataclass
class Subject:
    name: str
    mode: CompatibilityMode = CompatibilityMode.BACKWARD
    versions: dict[int, SchemaVersion] = field(default_factory=dict)

    @property
    def agency(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def latest(self) -> SchemaVersion:
        return self.versions[max(self.versions)]

    def version(self, number: int | None = None) -> SchemaVersion:
        if number is None:
            return self.latest
        try:
            return self.versions[number]
        except KeyError:
            known = ", ".join(f"v{n}" for n in sorted(self.versions))
            raise ConfigurationError(f"subject {self.name} has no version {number} (has {known})") from None

    def check(self) -> list[CompatibilityProblem]:
        return check_versions(self.name, self.mode, list(self.versions.values()))


class SchemaRegistry:
    def __init__(self, subjects: dict[str, Subject]) -> None:
        self.subjects = subjects
        self._by_fingerprint = {
            version.fingerprint: version for subject in subjects.values() for version in subject.versions.values()
        }

    @classmethod
    def load(cls, folder: Path) -> "SchemaRegistry":
        if not folder.is_dir():
            raise ConfigurationError(f"no schemas folder at {folder}")
        subjects = {}
        for subject_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
            subject = _load_subject(subject_dir)
            subjects[subject.name] = subject
        return cls(subjects)

    def subject(self, name: str) -> Subject:
        try:
            return self.subjects[name]
        except KeyError:
            known = ", ".join(sorted(self.subjects)) or "none"
            raise ConfigurationError(f"unknown subject {name!r} (known: {known})") from None

    def get(self, subject: str, version: int | None = None) -> SchemaVersion:
        return self.subject(subject).version(version)

    def by_fingerprint(self, fingerprint: bytes) -> SchemaVersion | None:
        return self._by_fingerprint.get(fingerprint)

    def check(self) -> list[CompatibilityProblem]:
        return [problem for subject in self.subjects.values() for problem in subject.check()]


def _load_subject(subject_dir: Path) -> Subject:
    name = subject_dir.name
    if not _SUBJECT_NAME.match(name):
        raise ConfigurationError(
            f"{subject_dir}: subject names are <agency>.<entity>.<event> in snake_case, got {name!r}"
        )
    subject = Subject(name=name, mode=_subject_mode(subject_dir))
    for path in sorted(subject_dir.glob("*.avsc")):
        match = _VERSION_FILE.match(path.name)
        if not match:
            raise ConfigurationError(f"{path}: schema files are named v<N>.avsc")
        subject.versions[int(match.group(1))] = _load_version(name, int(match.group(1)), path)
    if not subject.versions:
        raise ConfigurationError(f"{subject_dir}: subject {name} has no v<N>.avsc versions")
    return subject


def _subject_mode(subject_dir: Path) -> CompatibilityMode:
    config_path = subject_dir / "subject.yaml"
    if not config_path.exists():
        return CompatibilityMode.BACKWARD
    config = yaml.safe_load(config_path.read_text()) or {}
    raw = str(config.get("compatibility", "BACKWARD")).upper()
    try:
        return CompatibilityMode(raw)
    except ValueError:
        valid = ", ".join(m.value for m in CompatibilityMode)
        raise ConfigurationError(f"{config_path}: compatibility {raw!r} is not one of {valid}") from None


def _load_version(subject: str, number: int, path: Path) -> SchemaVersion:
    try:
        definition = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
    try:
        return SchemaVersion(subject=subject, version=number, definition=definition, path=path)
    except (SchemaParseException, ValueError, TypeError, KeyError) as exc:
        raise ConfigurationError(f"{path}: not a valid Avro schema: {exc}") from exc
