"""Reading records from JSON Lines or CSV files, typed by the subject's schema.

CSV has no types, so each cell is coerced to the field's Avro type; a cell that cannot be
coerced is passed through unchanged so that validation reports it with the field's name.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Iterator

from govbus.errors import ConfigurationError
from govbus.schemas.version import SchemaVersion

_NUMBER = {"int": int, "long": int, "float": float, "double": float}
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def read_records(path: Path, schema: SchemaVersion, file_format: str | None = None) -> Iterator[Any]:
    """Yield each record in ``path``. A JSON line that does not parse is yielded as its raw text."""
    file_format = file_format or _format_of(path)
    if file_format == "jsonl":
        yield from _json_lines(path)
    elif file_format == "csv":
        yield from _csv_rows(path, schema)
    else:
        raise ConfigurationError(f"{path}: unknown format {file_format!r}; use jsonl or csv")


def count_records(path: Path) -> int:
    """Records in a file, for the progress bar (CSV counts its header line out)."""
    with path.open("rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return max(lines - 1, 0) if _format_of(path) == "csv" else lines


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise ConfigurationError(f"{path}: cannot tell the format from {suffix!r}; pass --format jsonl or csv")


def _json_lines(path: Path) -> Iterator[Any]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                # Yielded as-is so the publisher rejects it with a record number, never skips it.
                yield line.rstrip("\n")


def _csv_rows(path: Path, schema: SchemaVersion) -> Iterator[dict[str, Any]]:
    types = {f["name"]: f["type"] for f in schema.definition.get("fields", [])}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {name: _coerce(value, types.get(name)) for name, value in row.items()}


def _coerce(value: str | None, avro_type: Any) -> Any:
    branches = avro_type if isinstance(avro_type, list) else [avro_type]
    if value in (None, "") and "null" in branches:
        return None
    for branch in branches:
        kind = branch.get("type") if isinstance(branch, dict) else branch
        try:
            if kind in _NUMBER:
                return _NUMBER[kind](value)
            if kind == "boolean" and value.lower() in _TRUE | _FALSE:
                return value.lower() in _TRUE
            if kind in {"string", "enum"}:
                return value
        except (TypeError, ValueError):
            continue
    return value
