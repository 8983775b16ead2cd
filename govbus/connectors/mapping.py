"""Field mapping: a source row (column -> value) becomes a record of the subject's schema.

Legacy databases hold names, dates and codes in their own shapes, so each field may name one
column, several columns joined, or a constant, and a short chain of transforms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Callable

from govbus.connectors.definition import ColumnSpec, ConnectorDefinition
from govbus.errors import ConfigurationError
from govbus.schemas.version import SchemaVersion

_EPOCH = date(1970, 1, 1)


def _to_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        # Change-data-capture tools (Debezium) send a DATE as days since 1970-01-01.
        return (_EPOCH + timedelta(days=value)).isoformat()
    return date.fromisoformat(str(value).strip()[:10]).isoformat()


def _to_datetime(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int):
        # Debezium sends a TIMESTAMP as microseconds since the epoch.
        return (datetime(1970, 1, 1) + timedelta(microseconds=value)).isoformat()
    return datetime.fromisoformat(str(value).strip()).isoformat()


def _to_int(value: Any) -> int:
    return int(Decimal(str(value))) if not isinstance(value, int) else value


# Each transform names the Avro type it yields (None: the type it was given), for lint.
TRANSFORMS: dict[str, tuple[Callable[[Any], Any], str | None]] = {
    "str": (str, "string"),
    "strip": (lambda v: str(v).strip(), "string"),
    "upper": (lambda v: str(v).upper(), "string"),
    "lower": (lambda v: str(v).lower(), "string"),
    "title": (lambda v: str(v).title(), "string"),
    "date": (_to_date, "string"),
    "datetime": (_to_datetime, "string"),
    "int": (_to_int, "long"),
    "float": (float, "double"),
    "null_if_empty": (lambda v: None if isinstance(v, str) and not v.strip() else v, None),
}


class MappingError(ValueError):
    """One field of one row could not be mapped; names the field, the transform and the value."""

    def __init__(self, field: str, transform: str, value: Any, cause: Exception) -> None:
        super().__init__(f"field {field!r}: transform {transform} failed on {value!r}: {cause}")
        self.field = field
        self.transform = transform


@dataclass(frozen=True)
class FieldSource:
    field: str
    spec: ColumnSpec
    steps: tuple[tuple[str, Callable[[Any], Any]], ...]

    def value(self, row: dict[str, Any]) -> Any:
        spec = self.spec
        if spec.columns:
            parts = [row.get(c) for c in spec.columns]
            value = spec.join.join(str(p) for p in parts if p not in (None, "")) or None
        elif spec.column:
            value = row.get(spec.column)
        else:
            value = spec.value
        for name, step in self.steps:
            if value is None:
                break
            try:
                value = step(value)
            except (TypeError, ValueError, ArithmeticError) as exc:
                raise MappingError(self.field, name, value, exc) from exc
        return value


class RecordMapping:
    """Maps rows to records; fields the mapping does not name are left to the schema's defaults."""

    def __init__(self, sources: list[FieldSource]) -> None:
        self.sources = sources

    @classmethod
    def of(cls, definition: ConnectorDefinition, schema: SchemaVersion) -> "RecordMapping":
        """The definition's mapping, or each schema field from the column of the same name."""
        columns = definition.columns() or {name: ColumnSpec(column=name) for name in schema.field_names}
        return cls([FieldSource(field, spec, _steps(definition, field, spec)) for field, spec in columns.items()])

    def record(self, row: dict[str, Any]) -> dict[str, Any]:
        return {source.field: source.value(row) for source in self.sources}


def _steps(definition: ConnectorDefinition, field: str, spec: ColumnSpec) -> tuple:
    unknown = [name for name in spec.transform if name not in TRANSFORMS]
    if unknown:
        raise ConfigurationError(
            f"connector {definition.name} mapping.{field}: unknown transform {unknown[0]!r} "
            f"(known: {', '.join(TRANSFORMS)})"
        )
    return tuple((name, TRANSFORMS[name][0]) for name in spec.transform)
