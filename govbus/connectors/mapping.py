"""Field mapping: a source row (column -> value) becomes a record of the subject's schema.

Legacy databases hold names, dates and codes in their own shapes, so each field may name one
column, several columns joined, or a constant, and a short chain of transforms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Callable

from govbus.codegen import generated
from govbus.connectors.definition import ColumnSpec, ConnectorDefinition
from govbus.errors import ConfigurationError
from govbus.schemas.version import SchemaVersion

_EPOCH = date(1970, 1, 1)


def _to_date(value: Any) -> str:
    if type(value) is str:
        return _date_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        # Change-data-capture tools (Debezium) send a DATE as days since 1970-01-01.
        return (_EPOCH + timedelta(days=value)).isoformat()
    return _date_text(str(value))


# Dates held as text, checked and in ISO form. Remembered, since a table's dates repeat (a century
# of birth dates is some 37,000 days); emptied when full, so odd text cannot make it grow unbounded.
_DATE_TEXTS: dict[str, str] = {}


def _date_text(text: str) -> str:
    iso = _DATE_TEXTS.get(text)
    if iso is None:
        iso = date.fromisoformat(text.strip()[:10]).isoformat()
        if len(_DATE_TEXTS) >= 1 << 16:
            _DATE_TEXTS.clear()
        _DATE_TEXTS[text] = iso
    return iso


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
    """Maps rows to records; fields the mapping does not name are left to the schema's defaults.

    ``record`` is one generated function per mapping (columns read once, transforms called
    inline), since it runs for every row a connector moves; a row it cannot map is mapped again
    field by field, to raise the ``MappingError`` that names the field and the transform.
    """

    def __init__(self, sources: list[FieldSource]) -> None:
        self.sources = sources
        self.record = _compile(sources, self._record_slowly)

    @classmethod
    def of(cls, definition: ConnectorDefinition, schema: SchemaVersion) -> "RecordMapping":
        """The definition's mapping, or each schema field from the column of the same name."""
        columns = definition.columns() or {name: ColumnSpec(column=name) for name in schema.field_names}
        return cls([FieldSource(field, spec, _steps(definition, field, spec)) for field, spec in columns.items()])

    def _record_slowly(self, row: dict[str, Any]) -> dict[str, Any]:
        return {source.field: source.value(row) for source in self.sources}


def _compile(sources: list[FieldSource], slowly: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    names: dict[str, Any] = {"_slowly": slowly}
    lines = ["get = row.get"]
    for number, source in enumerate(sources):
        value = f"v{number}"
        if source.spec.columns:
            names[f"_joined{number}"] = source.value  # rare: joining keeps its own (raising) path
            lines.append(f"{value} = _joined{number}(row)")
            continue
        if source.spec.column:
            lines.append(f"{value} = get({source.spec.column!r})")
        else:
            names[f"_constant{number}"] = source.spec.value
            lines.append(f"{value} = _constant{number}")
        for step_number, (_, step) in enumerate(source.steps):
            names[f"_step{number}_{step_number}"] = step
            lines.append(f"if {value} is not None: {value} = _step{number}_{step_number}({value})")
    fields = ", ".join(f"{source.field!r}: v{number}" for number, source in enumerate(sources))
    body = ["try:", *("    " + line for line in lines), "except (TypeError, ValueError, ArithmeticError):",
            "    return _slowly(row)", f"return {{{fields}}}"]
    return generated("record", "row", body, names)


def _steps(definition: ConnectorDefinition, field: str, spec: ColumnSpec) -> tuple:
    unknown = [name for name in spec.transform if name not in TRANSFORMS]
    if unknown:
        raise ConfigurationError(
            f"connector {definition.name} mapping.{field}: unknown transform {unknown[0]!r} "
            f"(known: {', '.join(TRANSFORMS)})"
        )
    return tuple((name, TRANSFORMS[name][0]) for name in spec.transform)
