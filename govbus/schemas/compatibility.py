"""Compatibility modes, checked with the Apache ``avro`` package's reader/writer checker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

from govbus.schemas.version import SchemaVersion


class CompatibilityMode(str, Enum):
    """What a subject promises readers and writers as it evolves (Confluent's vocabulary)."""

    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"

    @property
    def transitive(self) -> bool:
        return self.value.endswith("_TRANSITIVE")

    @property
    def directions(self) -> tuple[str, ...]:
        """``backward``: the new version reads old data; ``forward``: old versions read new data."""
        base = self.value.removesuffix("_TRANSITIVE")
        return {"BACKWARD": ("backward",), "FORWARD": ("forward",), "FULL": ("backward", "forward")}.get(
            base, ()
        )


@dataclass(frozen=True)
class CompatibilityProblem:
    subject: str
    mode: CompatibilityMode
    direction: str
    reader_version: int
    writer_version: int
    fields: tuple[str, ...]
    kinds: tuple[str, ...]

    @property
    def new_version(self) -> int:
        return max(self.reader_version, self.writer_version)

    @property
    def old_version(self) -> int:
        return min(self.reader_version, self.writer_version)

    def __str__(self) -> str:
        fields = ", ".join(self.fields) or "(whole schema)"
        kinds = ", ".join(self.kinds)
        who = (
            f"v{self.reader_version} cannot read data written with v{self.writer_version}"
        )
        return (
            f"{self.subject}: v{self.new_version} breaks {self.mode.value} compatibility with "
            f"v{self.old_version}: {who}; field {fields}: {kinds}"
        )


@lru_cache(maxsize=512)
def _avro_schema(canonical_form: str) -> avro.schema.Schema:
    return avro.schema.parse(canonical_form)


def _full_schema(version: SchemaVersion) -> avro.schema.Schema:
    # Defaults and aliases matter for resolution but are stripped from the canonical form.
    return _avro_schema(json.dumps(version.definition, sort_keys=True))


def check_pair(
    subject: str, mode: CompatibilityMode, reader: SchemaVersion, writer: SchemaVersion, direction: str
) -> CompatibilityProblem | None:
    result = ReaderWriterCompatibilityChecker().get_compatibility(_full_schema(reader), _full_schema(writer))
    if result.compatibility is SchemaCompatibilityType.compatible:
        return None
    fields = tuple(sorted(_field_names(reader, writer, result.messages, result.locations)))
    kinds = tuple(sorted(kind.value for kind in result.incompatibilities))
    return CompatibilityProblem(subject, mode, direction, reader.version, writer.version, fields, kinds)


def _field_names(reader: SchemaVersion, writer: SchemaVersion, messages, locations) -> set[str]:
    """Name the fields at fault: the checker gives names for some faults, JSON pointers for others."""
    names = {m for m in messages if isinstance(m, str) and m in set(reader.field_names) | set(writer.field_names)}
    for location in locations:
        parts = location.strip("/").split("/")
        if len(parts) >= 2 and parts[0] == "fields" and parts[1].isdigit():
            index = int(parts[1])
            if index < len(reader.field_names):
                names.add(reader.field_names[index])
    return names


def check_versions(subject: str, mode: CompatibilityMode, versions: list[SchemaVersion]) -> list[CompatibilityProblem]:
    """Every problem between each version and the ones before it that the mode covers."""
    problems: list[CompatibilityProblem] = []
    ordered = sorted(versions, key=lambda v: v.version)
    for index, new in enumerate(ordered[1:], start=1):
        olds = ordered[:index] if mode.transitive else [ordered[index - 1]]
        for old in olds:
            for direction in mode.directions:
                reader, writer = (new, old) if direction == "backward" else (old, new)
                problem = check_pair(subject, mode, reader, writer, direction)
                if problem:
                    problems.append(problem)
    return problems
