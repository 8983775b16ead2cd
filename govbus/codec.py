"""Avro single-object encoding: marker ``C3 01``, 8-byte CRC-64-AVRO fingerprint, then the body.

The fingerprint lets any consumer find the writer's schema in the registry and resolve it to the
version the consumer reads with, so producers and consumers can upgrade independently.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from fastavro import schemaless_reader, schemaless_writer
from fastavro.read import SchemaResolutionError
from fastavro.validation import ValidationError, validate

from govbus.errors import SchemaViolation
from govbus.schemas.registry import SchemaRegistry
from govbus.schemas.version import SchemaVersion

MARKER = b"\xc3\x01"
HEADER_LENGTH = len(MARKER) + 8


@dataclass(frozen=True)
class Decoded:
    record: dict[str, Any]
    writer: SchemaVersion


def check_record(record: Any, version: SchemaVersion) -> None:
    """Raise ``SchemaViolation`` naming the field, the expected type and the actual value."""
    if not isinstance(record, dict):
        raise SchemaViolation(
            f"expected a record (JSON object) for {version.subject} v{version.version}, got {type(record).__name__}",
            reason="not_a_record",
        )
    flat = version.field_rules
    unexpected = record.keys() - (flat.names if flat is not None else set(version.field_names))
    if unexpected:
        name = sorted(unexpected)[0]
        raise SchemaViolation(
            f"field {name!r} is not in {version.subject} v{version.version} "
            f"(fields: {', '.join(version.field_names)})",
            field=name,
            reason="unexpected_field",
        )
    if flat is not None:
        for rule in flat.rules:
            value = record.get(rule.name)
            if rule.name not in record and rule.required:
                raise SchemaViolation(
                    f"field {rule.name!r} is missing; expected {rule.expected}", field=rule.name, reason="missing_field"
                )
            if (rule.name in record or rule.required) and not rule.accepts(value):
                raise SchemaViolation(
                    f"field {rule.name!r} is {_show(value)} ({type(value).__name__}); expected {rule.expected}",
                    field=rule.name,
                    reason="type_mismatch",
                )
        return
    try:
        validate(record, version.parsed, raise_errors=True)
    except ValidationError as exc:
        error = exc.errors[0]
        field = _field_path(error.field, version)
        actual = record.get(field, error.datum) if field in record else error.datum
        missing = field not in record and "." not in field
        detail = "is missing" if missing else f"is {_show(actual)} ({type(actual).__name__})"
        raise SchemaViolation(
            f"field {field!r} {detail}; expected {_show_type(error.schema, version.named_types)}",
            field=field,
            reason="missing_field" if missing else "type_mismatch",
        ) from None


def encode(record: dict[str, Any], version: SchemaVersion, *, checked: bool = True) -> bytes:
    """The single-object encoding of ``record``; unless ``checked`` is False, an invalid record
    raises ``SchemaViolation`` instead. A flat schema checks and writes in one pass."""
    flat = version.field_rules
    if flat is not None and flat.write is not None:
        body = flat.write(record)
        if body is not None:
            return MARKER + version.fingerprint + body
    if checked:
        check_record(record, version)
    buffer = io.BytesIO()
    buffer.write(MARKER + version.fingerprint)
    schemaless_writer(buffer, version.parsed, record)
    return buffer.getvalue()


def decode(payload: bytes, registry: SchemaRegistry, reader: SchemaVersion | None = None) -> Decoded:
    """Decode a single-object-encoded payload, resolving to ``reader`` when given."""
    if payload is None or len(payload) < HEADER_LENGTH:
        size = 0 if payload is None else len(payload)
        raise SchemaViolation(f"truncated message: {size} bytes, the header alone is {HEADER_LENGTH}", reason="truncated")
    if payload[:2] != MARKER:
        raise SchemaViolation(
            f"not single-object encoded: marker is {payload[:2].hex()}, expected c301", reason="bad_marker"
        )
    writer = registry.by_fingerprint(bytes(payload[2:HEADER_LENGTH]))
    if writer is None:
        raise SchemaViolation(
            f"unknown writer schema fingerprint {bytes(payload[2:HEADER_LENGTH]).hex()}: "
            "no version in schemas/ has it",
            reason="unknown_fingerprint",
        )
    try:
        # Resolving a schema against itself changes nothing but costs fastavro's slower reader.
        resolve_to = reader.parsed if reader is not None and reader.fingerprint != writer.fingerprint else None
        record = schemaless_reader(io.BytesIO(payload[HEADER_LENGTH:]), writer.parsed, resolve_to)
    except SchemaResolutionError as exc:
        raise SchemaViolation(
            f"{writer.subject} v{writer.version} cannot be read as v{reader.version}: {exc}",
            reason="schema_resolution",
        ) from exc
    except (EOFError, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise SchemaViolation(
            f"corrupt body for {writer.subject} v{writer.version}: {exc}", reason="corrupt_body"
        ) from exc
    return Decoded(record=record, writer=writer)


def _field_path(qualified: str | None, version: SchemaVersion) -> str:
    if not qualified:
        return "(record)"
    top = version.parsed.get("name", "") if isinstance(version.parsed, dict) else ""
    if top and qualified.startswith(top + "."):
        return qualified[len(top) + 1 :]
    return qualified.rsplit(".", 1)[-1]


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _show_type(schema: Any, named_types: dict) -> str:
    schema = named_types.get(schema, schema) if isinstance(schema, str) else schema
    if isinstance(schema, list):
        return " or ".join(_show_type(s, named_types) for s in schema)
    if isinstance(schema, dict):
        if schema.get("type") == "enum":
            return "one of " + ", ".join(schema["symbols"])
        return schema.get("logicalType") or schema.get("name") or schema.get("type", "?")
    return str(schema)
