"""A record checker and writer compiled once per schema version.

Most event schemas are flat records of primitives, enums and nullable primitives. For those a
precompiled field table names the field at fault, and one generated function checks every field
and writes the Avro body in the same pass: publishing walks each record once, not once to
validate and again in fastavro. Anything richer (nested records, arrays, maps, fixed) falls back
to fastavro's validator and writer.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, Callable

from govbus.codegen import generated

INT_RANGE = (-(2**31), 2**31 - 1)
LONG_RANGE = (-(2**63), 2**63 - 1)
SMALL_LONGS = 1024


@dataclass(frozen=True)
class FieldRule:
    name: str
    expected: str
    accepts: Callable[[Any], bool]
    required: bool


@dataclass(frozen=True)
class FlatRecord:
    """A flat record schema, compiled: the names it allows, a rule per field for messages, and
    ``write(record)``, the Avro body of a valid record or ``None`` for any fault (the rules then
    say which), itself ``None`` when a union is too rich to write by hand."""

    names: frozenset[str]
    rules: tuple[FieldRule, ...]
    write: Callable[[dict[str, Any]], bytes | None] | None


def avro_long(number: int) -> bytes:
    """Avro's zig-zag variable-length encoding of an int or long."""
    number = (number << 1) ^ (number >> 63)
    out = bytearray()
    while number & ~0x7F:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    out.append(number)
    return bytes(out)


# String lengths and enum and union indexes are nearly always small; a table spares the loop.
_SMALL = tuple(avro_long(n) for n in range(SMALL_LONGS))
_WRITER_NAMES = {
    "_small": _SMALL,
    "_long": lambda n: _SMALL[n] if 0 <= n < SMALL_LONGS else avro_long(n),
    "_float": struct.Struct("<f").pack,
    "_double": struct.Struct("<d").pack,
}


def _primitive(kind: str) -> Callable[[Any], bool] | None:
    if kind == "string":
        return lambda v: type(v) is str
    if kind == "boolean":
        return lambda v: type(v) is bool
    if kind in ("int", "long"):
        low, high = INT_RANGE if kind == "int" else LONG_RANGE
        return lambda v: type(v) is int and low <= v <= high
    if kind in ("float", "double"):
        return lambda v: type(v) in (int, float)
    if kind == "bytes":
        return lambda v: type(v) is bytes
    if kind == "null":
        return lambda v: v is None
    return None


def _flat_type(schema: Any) -> Any:
    """The primitive name or enum dict a (non-union) branch stands for; None if not flat."""
    if isinstance(schema, str):
        return schema if _primitive(schema) else None
    if isinstance(schema, dict) and schema.get("type") == "enum":
        return schema
    if isinstance(schema, dict) and "logicalType" not in schema and isinstance(schema.get("type"), str):
        return _flat_type(schema["type"])
    return None


def _branch(kind: Any) -> tuple[str, Callable[[Any], bool]]:
    """How to accept one flat type, with its name for messages."""
    if isinstance(kind, dict):
        symbols = frozenset(kind["symbols"])
        return "one of " + ", ".join(kind["symbols"]), lambda v: type(v) is str and v in symbols
    return kind, _primitive(kind)


def _write_lines(kind: Any, slot: str, names: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Statements that check ``v`` is a ``kind`` and bind its encoding to the returned pieces (or
    return None from the writer)."""
    if isinstance(kind, dict):
        names[slot] = {symbol: _SMALL[index] for index, symbol in enumerate(kind["symbols"])}
        return [f"{slot}p = {slot}.get(v) if type(v) is str else None", f"if {slot}p is None: return None"], [f"{slot}p"]
    if kind in ("string", "bytes"):
        text = kind == "string"
        return [
            f"if type(v) is not {'str' if text else 'bytes'}: return None",
            f"{slot}b = v.encode()" if text else f"{slot}b = v",
            f"{slot}p = _small[len({slot}b)] if len({slot}b) < 1024 else _long(len({slot}b))",
        ], [f"{slot}p", f"{slot}b"]
    if kind in ("int", "long"):
        names[slot] = INT_RANGE if kind == "int" else LONG_RANGE
        return [f"if type(v) is not int or not {slot}[0] <= v <= {slot}[1]: return None", f"{slot}p = _long(v)"], [f"{slot}p"]
    if kind in ("float", "double"):
        return ["if type(v) is not float and type(v) is not int: return None", f"{slot}p = _{kind}(v)"], [f"{slot}p"]
    if kind == "boolean":
        return ["if type(v) is not bool: return None", f"{slot}p = b'\\x01' if v else b'\\x00'"], [f"{slot}p"]
    return ["if v is not None: return None"], []


def _field_lines(field: dict, kinds: list[Any], slot: str, names: dict[str, Any]) -> tuple[list[str], list[str]] | None:
    if "default" in field:
        names[f"{slot}_default"] = field["default"]
        lines = [f"v = get({field['name']!r}, {slot}_default)"]
    else:
        lines = [f"v = get({field['name']!r})"]
    if len(kinds) == 1:
        body, pieces = _write_lines(kinds[0], slot, names)
        return lines + body, pieces
    others = [index for index, kind in enumerate(kinds) if kind != "null"]
    if len(kinds) != 2 or len(others) != 1:
        return None  # which branch fastavro would pick is its own business
    index = others[0]
    body, pieces = _write_lines(kinds[index], slot, names)
    null_branch = [f"{slot}u = {_SMALL[1 - index]!r}", *(f"{piece} = b''" for piece in pieces)]
    lines += ["if v is None:", *("    " + line for line in null_branch), "else:", f"    {slot}u = {_SMALL[index]!r}"]
    return lines + ["    " + line for line in body], [f"{slot}u", *pieces]


def _compile_writer(fields: list[dict], kinds: list[list[Any]], names_allowed: frozenset[str]) -> Callable | None:
    names: dict[str, Any] = {**_WRITER_NAMES, "_allowed": names_allowed}
    lines = ["if not isinstance(record, dict) or not record.keys() <= _allowed: return None", "get = record.get"]
    pieces: list[str] = []
    for number, (field, field_kinds) in enumerate(zip(fields, kinds)):
        compiled = _field_lines(field, field_kinds, f"_f{number}", names)
        if compiled is None:
            return None
        lines += compiled[0]
        pieces += compiled[1]
    # A value fastavro would also refuse (an unpaired surrogate, a float beyond single precision)
    # goes the slow way too, so the caller sees the same error either way.
    source = ["try:", *("    " + line for line in lines), "except (UnicodeEncodeError, OverflowError, TypeError):",
              "    return None", f"return b''.join(({', '.join(pieces)},))" if pieces else "return b''"]
    return generated("write", "record", source, names)


def compile_rules(definition: Any) -> FlatRecord | None:
    """A flat record schema compiled, or None when the schema needs fastavro's validator."""
    if not isinstance(definition, dict) or definition.get("type") != "record":
        return None
    rules, kinds = [], []
    for field in definition["fields"]:
        branches = field["type"] if isinstance(field["type"], list) else [field["type"]]
        flat = [_flat_type(b) for b in branches]
        if any(kind is None for kind in flat):
            return None
        compiled = [_branch(kind) for kind in flat]
        checks = [accepts for _, accepts in compiled]
        accepts = checks[0] if len(checks) == 1 else (lambda v, checks=checks: any(c(v) for c in checks))
        required = "null" not in branches and "default" not in field
        rules.append(FieldRule(field["name"], " or ".join(name for name, _ in compiled), accepts, required))
        kinds.append(flat)
    names = frozenset(field["name"] for field in definition["fields"])
    return FlatRecord(names, tuple(rules), _compile_writer(definition["fields"], kinds, names))
