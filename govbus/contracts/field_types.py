"""What kind of value an Avro field holds, in the terms a contract rule cares about."""

from __future__ import annotations

from dataclasses import dataclass

NUMERIC = frozenset({"int", "long", "float", "double"})


@dataclass(frozen=True)
class FieldType:
    kind: str  # string, enum, int, long, float, double, boolean, bytes, record, array, map, ...
    nullable: bool
    symbols: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC

    @property
    def textual(self) -> bool:
        return self.kind in {"string", "enum"}

    def __str__(self) -> str:
        return f"{self.kind} or null" if self.nullable else self.kind


def field_type(avro_field: dict) -> FieldType:
    """Reduce an Avro field's type to one kind; a union with null is that kind, nullable."""
    branches = avro_field["type"] if isinstance(avro_field["type"], list) else [avro_field["type"]]
    nullable = "null" in branches
    others = [branch for branch in branches if branch != "null"]
    if len(others) != 1:
        return FieldType("union", nullable)
    branch = others[0]
    if isinstance(branch, dict):
        return FieldType(branch.get("logicalType") or branch["type"], nullable, tuple(branch.get("symbols", ())))
    return FieldType(branch, nullable)
