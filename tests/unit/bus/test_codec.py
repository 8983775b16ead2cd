"""Single-object encoding and schema resolution on read."""

import pytest

from govbus import codec
from govbus.errors import SchemaViolation
from govbus.project import load_project

REPO = __import__("pathlib").Path(__file__).resolve().parents[3]
SUBJECT = "population.person.address_changed"
MOVE = {"national_id": "19800102-1234", "street": "Storgatan 1", "postcode": "11122", "city": "Norrvik"}


@pytest.fixture(scope="module")
def registry():
    return load_project(REPO).registry


def test_encoding_starts_with_marker_and_fingerprint(registry):
    v1 = registry.get(SUBJECT, 1)
    payload = codec.encode(MOVE, v1)
    assert payload[:2] == b"\xc3\x01"
    assert payload[2:10] == v1.fingerprint
    assert codec.decode(payload, registry).record == MOVE


def test_old_writer_resolves_to_new_reader_with_defaults(registry):
    payload = codec.encode(MOVE, registry.get(SUBJECT, 1))
    decoded = codec.decode(payload, registry, registry.get(SUBJECT, 2))
    assert decoded.writer.version == 1
    assert decoded.record == {**MOVE, "moved_on": None}


def test_new_writer_resolves_to_old_reader_dropping_the_new_field(registry):
    payload = codec.encode({**MOVE, "moved_on": "2026-05-01"}, registry.get(SUBJECT, 2))
    assert codec.decode(payload, registry, registry.get(SUBJECT, 1)).record == MOVE


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "truncated"),
        (b"\xc3\x01\x00\x01", "truncated"),
        (b"\x00\x01" + b"\x00" * 20, "bad_marker"),
        (b"\xc3\x01" + b"\xff" * 8 + b"\x02", "unknown_fingerprint"),
    ],
)
def test_undecodable_bytes_raise_a_violation_with_a_reason(registry, payload, reason):
    with pytest.raises(SchemaViolation) as caught:
        codec.decode(payload, registry)
    assert caught.value.reason == reason


def test_truncated_body_is_reported_not_crashed(registry):
    payload = codec.encode(MOVE, registry.get(SUBJECT, 1))
    with pytest.raises(SchemaViolation) as caught:
        codec.decode(payload[:14], registry)
    assert caught.value.reason == "corrupt_body"


@pytest.mark.parametrize(
    ("record", "field", "reason", "words"),
    [
        ({**MOVE, "postcode": 11122}, "postcode", "type_mismatch", ["11122", "int", "expected string"]),
        ({k: v for k, v in MOVE.items() if k != "city"}, "city", "missing_field", ["missing"]),
        ({**MOVE, "shoe_size": 44}, "shoe_size", "unexpected_field", ["not in", SUBJECT]),
    ],
)
def test_invalid_records_name_field_expected_and_actual(registry, record, field, reason, words):
    with pytest.raises(SchemaViolation) as caught:
        codec.encode(record, registry.get(SUBJECT, 1))
    assert caught.value.field == field
    assert caught.value.reason == reason
    for word in words:
        assert word in str(caught.value)
