"""One numbered version of a subject's Avro schema, with its canonical form and fingerprint."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from fastavro.schema import fingerprint, parse_schema, to_parsing_canonical_form


def crc64_avro(canonical_form: str) -> bytes:
    """The 8-byte CRC-64-AVRO (Rabin) fingerprint, little-endian as single-object encoding wants."""
    return bytes.fromhex(fingerprint(canonical_form, "CRC-64-AVRO"))


def fingerprint_as_long(fp: bytes) -> int:
    """The fingerprint as the signed 64-bit number the Avro specification's test vectors use."""
    return struct.unpack("<q", fp)[0]


@dataclass(frozen=True)
class SchemaVersion:
    subject: str
    version: int
    definition: Any
    path: Path | None = None
    parsed: dict = field(init=False, repr=False, compare=False)
    named_types: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Named types must not leak between subjects, so each version parses in its own namespace.
        named: dict = {}
        object.__setattr__(self, "parsed", parse_schema(self.definition, named_schemas=named))
        object.__setattr__(self, "named_types", named)

    @cached_property
    def canonical_form(self) -> str:
        return to_parsing_canonical_form(self.definition)

    @cached_property
    def fingerprint(self) -> bytes:
        return crc64_avro(self.canonical_form)

    @property
    def fingerprint_hex(self) -> str:
        return self.fingerprint.hex()

    @cached_property
    def field_rules(self):
        """Precompiled per-field checks for flat schemas (None: use fastavro's validator)."""
        from govbus.schemas.validator import compile_rules

        return compile_rules(self.definition)

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.definition.get("fields", [])] if isinstance(self.definition, dict) else []

    def field(self, name: str) -> dict | None:
        for candidate in self.definition.get("fields", []):
            if candidate["name"] == name:
                return candidate
        return None

    def to_json(self) -> str:
        return json.dumps(self.definition, indent=2)
