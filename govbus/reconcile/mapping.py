"""Source mappings: how each agency's columns become the person model's standard columns.

A new agency's dataset is onboarded by adding its section to the mapping file (``reconcile/
sources.yaml`` in the demo): which column is its record key, and where each standard column comes
from, optionally through a named transform. Standard columns a source lacks stay missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from govbus.errors import ConfigurationError, ViolationError
from govbus.reconcile.transforms import NORMALISERS, TRANSFORMS, lookup

IDENTITY_COLUMNS = ["unique_id", "source", "record_id"]


@dataclass(frozen=True)
class ColumnSource:
    """Where one standard column comes from in a source: a column, maybe through a transform."""

    column: str
    transform: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def values(self, records: pd.DataFrame) -> pd.Series:
        if self.transform is None:
            return records[self.column]
        return lookup("transform", TRANSFORMS, self.transform)(records[self.column], **self.options)


@dataclass(frozen=True)
class SourceMapping:
    name: str
    record_id: str
    columns: dict[str, ColumnSource]

    @property
    def read_columns(self) -> frozenset[str]:
        """The source's columns the mapping reads: the record id and every mapped column."""
        return frozenset({self.record_id, *(c.column for c in self.columns.values())})

    def check(self, records: pd.DataFrame) -> None:
        """Raise if the file lacks a mapped column; a typo here would silently empty a column."""
        missing = sorted(self.read_columns - set(records.columns))
        if missing:
            raise ConfigurationError(
                f"source {self.name}: column(s) {', '.join(missing)} not in its data "
                f"(it has: {', '.join(map(str, records.columns))})"
            )


@dataclass(frozen=True)
class StandardColumn:
    """A standard column: its normaliser, and for a derived column the column it is made of."""

    name: str
    normaliser: str
    of: str | None = None


@dataclass(frozen=True)
class SourceMappings:
    """Every source's mapping, and the standard columns with the normaliser each one gets."""

    standard_columns: dict[str, StandardColumn]
    sources: dict[str, SourceMapping]

    def source(self, name: str) -> SourceMapping:
        try:
            return self.sources[name]
        except KeyError:
            raise ConfigurationError(
                f"no mapping for source {name!r}; mapped sources: {', '.join(sorted(self.sources))}"
            ) from None


def load_mappings(path: Path) -> SourceMappings:
    """Read and check a mapping file."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"{path}: cannot read the mapping file: {exc}") from exc
    try:
        standard = {name: _standard(name, spec) for name, spec in document["standard_columns"].items()}
        for column in standard.values():
            if column.of is not None and (column.of not in standard or standard[column.of].of is not None):
                raise ConfigurationError(f"{path}: {column.name} is made of {column.of!r}, which is not a mapped standard column")
        sources = {name: _source(name, spec, standard) for name, spec in document["sources"].items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigurationError(f"{path}: malformed mapping, missing or wrong key {exc}") from exc
    return SourceMappings(standard, sources)


def _standard(name: str, spec: str | dict[str, str]) -> StandardColumn:
    column = StandardColumn(name, spec) if isinstance(spec, str) else StandardColumn(name, spec["normaliser"], spec["of"])
    lookup("normaliser", NORMALISERS, column.normaliser)
    return column


def _source(name: str, spec: dict[str, Any], standard: dict[str, StandardColumn]) -> SourceMapping:
    columns: dict[str, ColumnSource] = {}
    mappable = [c.name for c in standard.values() if c.of is None]
    for target, origin in spec["columns"].items():
        if target not in mappable:
            raise ConfigurationError(
                f"source {name}: {target!r} is not a standard column a source fills; they are: {', '.join(mappable)}"
            )
        if isinstance(origin, str):
            columns[target] = ColumnSource(origin)
        else:
            options = {k: v for k, v in origin.items() if k not in ("from", "transform")}
            lookup("transform", TRANSFORMS, origin["transform"])
            columns[target] = ColumnSource(origin["from"], origin["transform"], options)
    return SourceMapping(name, spec["record_id"], columns)


def standardise(source_frames: Mapping[str, pd.DataFrame], mappings: SourceMappings) -> pd.DataFrame:
    """All sources' records in one frame: ``unique_id``, ``source``, ``record_id`` and the
    standard columns, normalised. ``unique_id`` is ``<source>:<record_id>``. The rows are the
    sources' rows in the order given, each source's in its own order.
    """
    parts = []
    for name, records in source_frames.items():
        mapping = mappings.source(name)
        mapping.check(records)
        record_id = records[mapping.record_id].astype("string")
        _check_record_ids(name, record_id)
        part = {"unique_id": name + ":" + record_id, "source": name, "record_id": record_id}
        for column, origin in mapping.columns.items():
            part[column] = origin.values(records).astype("string")
        parts.append(pd.DataFrame(part).reset_index(drop=True))
    if not parts:
        raise ConfigurationError("no sources given")
    raw = pd.concat(parts, ignore_index=True)
    frame = raw[IDENTITY_COLUMNS].astype("string")
    # Normalised once over all sources.
    for column in mappings.standard_columns.values():
        if column.of is None:
            values = raw[column.name] if column.name in raw else pd.Series(pd.NA, index=raw.index, dtype="string")
            frame[column.name] = NORMALISERS[column.normaliser](values)
    return with_derived_columns(frame, mappings)


def with_derived_columns(frame: pd.DataFrame, mappings: SourceMappings) -> pd.DataFrame:
    """``frame`` (the mapped standard columns, normalised) with the standard columns made of them
    added, those it does not hold already."""
    for column in mappings.standard_columns.values():
        if column.of is not None and column.name not in frame.columns:
            frame[column.name] = NORMALISERS[column.normaliser](frame[column.of])
    return frame


def _check_record_ids(source: str, record_id: pd.Series) -> None:
    blank = int(record_id.isna().sum())
    repeated = int(record_id.duplicated().sum())
    if blank or repeated:
        raise ViolationError(
            f"source {source}: record ids must be present and unique; {blank} missing, {repeated} repeated"
        )
