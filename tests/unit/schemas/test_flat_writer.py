"""The one-pass checking writer for flat schemas writes exactly what fastavro writes, and refuses
exactly what the field rules refuse, so taking the fast path never changes a byte on the wire."""

import io
import random

import pytest
from fastavro import schemaless_writer

from govbus import codec
from govbus.errors import SchemaViolation
from govbus.project import load_project
from govbus.schemas.version import SchemaVersion
from govbus.schemas.validator import avro_long

REPO = __import__("pathlib").Path(__file__).resolve().parents[3]

EVERY_FLAT_KIND = {
    "type": "record",
    "name": "Everything",
    "fields": [
        {"name": "text", "type": "string"},
        {"name": "count", "type": "int"},
        {"name": "total", "type": "long"},
        {"name": "ratio", "type": "float"},
        {"name": "amount", "type": "double"},
        {"name": "flag", "type": "boolean"},
        {"name": "blob", "type": "bytes"},
        {"name": "colour", "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN", "BLUE"]}},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "rank", "type": ["long", "null"]},
        {"name": "city", "type": "string", "default": "Norrvik"},
    ],
}


def fastavro_body(record, version):
    buffer = io.BytesIO()
    schemaless_writer(buffer, version.parsed, record)
    return buffer.getvalue()


def random_record(rng):
    return {
        "text": rng.choice(["", "Storgatan 1", "Öberg", "Ωmega ✓", "x" * rng.randint(60, 3000)]),
        "count": rng.choice([0, -1, 63, 64, -65, 2**31 - 1, -(2**31)]),
        "total": rng.choice([0, 1, -(2**63), 2**63 - 1, rng.randint(-(10**12), 10**12)]),
        "ratio": rng.choice([0.5, 3, -1.25]),
        "amount": rng.choice([0.1, 7, -2.5e300, float("inf")]),
        "flag": rng.random() < 0.5,
        "blob": bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 200))),
        "colour": rng.choice(["RED", "GREEN", "BLUE"]),
        "note": rng.choice([None, "moved abroad"]),
        "rank": rng.choice([None, 5, -300]),
        "city": rng.choice(["Sörby", "Lilla Hamn"]),
    }


@pytest.fixture(scope="module")
def everything():
    return SchemaVersion("test.everything.recorded", 1, EVERY_FLAT_KIND)


def test_every_flat_kind_is_written_byte_for_byte_as_fastavro_writes_it(everything):
    assert everything.field_rules.write is not None
    rng = random.Random(3)
    for _ in range(500):
        record = random_record(rng)
        assert everything.field_rules.write(record) == fastavro_body(record, everything), record


def test_missing_fields_take_their_defaults_as_fastavro_does(everything):
    record = random_record(random.Random(4))
    for optional in ("note", "rank", "city"):
        del record[optional]
    assert everything.field_rules.write(record) == fastavro_body(record, everything)


def test_every_shipped_flat_schema_round_trips_through_the_fast_writer():
    registry = load_project(REPO).registry
    written = 0
    for version in (v for subject in registry.subjects.values() for v in subject.versions.values()):
        flat = version.field_rules
        if flat is None or flat.write is None:
            continue
        record = {rule.name: _sample(version.field(rule.name)["type"]) for rule in flat.rules}
        payload = codec.encode(record, version)
        assert payload[10:] == fastavro_body(record, version)
        assert codec.decode(payload, registry).record == record
        written += 1
    assert written > 5


def _sample(kind):
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if isinstance(kind, dict):
        return kind["symbols"][-1] if kind.get("type") == "enum" else _sample(kind["type"])
    return {"string": "Kyrkvägen 12", "int": 41, "long": 2**40, "boolean": True, "double": 1.5,
            "float": 0.25, "bytes": b"\x00\xff", None: None}[kind]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"count": 2**31}, "count", "type_mismatch"),
        ({"count": True}, "count", "type_mismatch"),
        ({"amount": "7"}, "amount", "type_mismatch"),
        ({"colour": "PINK"}, "colour", "type_mismatch"),
        ({"colour": 1}, "colour", "type_mismatch"),
        ({"note": 5}, "note", "type_mismatch"),
        ({"text": None}, "text", "type_mismatch"),
        ({"shoe_size": 44}, "shoe_size", "unexpected_field"),
    ],
)
def test_a_value_the_rules_refuse_is_not_written_and_the_rule_names_it(everything, change, field, reason):
    record = {**random_record(random.Random(5)), **change}
    assert everything.field_rules.write(record) is None
    with pytest.raises(SchemaViolation) as caught:
        codec.encode(record, everything)
    assert (caught.value.field, caught.value.reason) == (field, reason)


def test_a_missing_required_field_is_reported_as_missing(everything):
    record = random_record(random.Random(6))
    del record["text"]
    assert everything.field_rules.write(record) is None
    with pytest.raises(SchemaViolation) as caught:
        codec.encode(record, everything)
    assert caught.value.reason == "missing_field"


@pytest.mark.parametrize("number", [0, -1, 1, 63, -64, 64, 8191, -(2**63), 2**63 - 1])
def test_zig_zag_longs_match_the_specification(number):
    zig = (number << 1) ^ (number >> 63)
    expected = bytearray()
    while True:
        byte, zig = zig & 0x7F, zig >> 7
        expected.append(byte | (0x80 if zig else 0))
        if not zig:
            break
    assert avro_long(number) == bytes(expected)

