"""Avro field types as SQL column types, so a subject's schema decides its landed table's shape."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    Text,
    Time,
    Uuid,
)
from sqlalchemy.types import TypeEngine

from govbus.schemas.version import SchemaVersion

_PRIMITIVES: dict[str, TypeEngine] = {
    "string": Text(),
    "int": Integer(),
    "long": BigInteger(),
    "boolean": Boolean(),
    "float": Float(),
    "double": Float(),
    "bytes": LargeBinary(),
}

_LOGICAL: dict[str, TypeEngine] = {
    "date": Date(),
    "timestamp-millis": DateTime(timezone=True),
    "timestamp-micros": DateTime(timezone=True),
    "time-millis": Time(),
    "time-micros": Time(),
    "uuid": Uuid(),
}


def field_columns(version: SchemaVersion, key_columns: list[str]) -> list[Column]:
    """One column per field of ``version``; a field that may be null (a union with null) is nullable."""
    named: dict[str, Any] = {}
    columns = []
    for field in version.definition["fields"]:
        sql_type, nullable = _sql_type(field["type"], named, version.definition.get("namespace"))
        primary = field["name"] in key_columns
        columns.append(Column(field["name"], sql_type, primary_key=primary, nullable=nullable and not primary))
    return columns


def _sql_type(avro: Any, named: dict[str, Any], namespace: str | None) -> tuple[TypeEngine, bool]:
    """The SQL type for an Avro type, and whether the value may be null."""
    if isinstance(avro, list):
        branches = [branch for branch in avro if branch != "null"]
        nullable = len(branches) < len(avro)
        if len(branches) == 1:
            return _sql_type(branches[0], named, namespace)[0], nullable
        # A union of several types has no single column type; its value is kept as JSON.
        return JSON(), nullable
    if isinstance(avro, str):
        if avro in _PRIMITIVES:
            return _PRIMITIVES[avro], False
        if avro == "null":
            return Text(), True
        return _sql_type(_resolve(avro, named, namespace), named, namespace)
    logical = avro.get("logicalType")
    if logical in _LOGICAL:
        return _LOGICAL[logical], False
    if logical == "decimal":
        return Numeric(avro["precision"], avro.get("scale", 0)), False
    kind = avro["type"]
    if kind in {"record", "enum", "fixed"}:
        _remember(avro, named, namespace)
    if kind == "enum":
        return Text(), False
    if kind == "fixed":
        return LargeBinary(), False
    if kind in {"record", "array", "map"}:
        return JSON(), False
    return _sql_type(kind, named, namespace)


def _remember(avro: dict, named: dict[str, Any], namespace: str | None) -> None:
    space = avro.get("namespace", namespace)
    name = avro["name"]
    named[name] = avro
    named[name if "." in name or not space else f"{space}.{name}"] = avro


def _resolve(name: str, named: dict[str, Any], namespace: str | None) -> Any:
    for candidate in (name, f"{namespace}.{name}" if namespace else name, name.rsplit(".", 1)[-1]):
        if candidate in named:
            return named[candidate]
    raise KeyError(f"unknown Avro type {name!r}")
