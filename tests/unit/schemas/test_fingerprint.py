"""CRC-64-AVRO fingerprints and canonical forms, checked against the Avro specification's vectors
(share/test/data/schema-tests.txt in the Avro project)."""

import pytest

from govbus.schemas.version import SchemaVersion, fingerprint_as_long

SPEC_VECTORS = [
    ('"null"', '"null"', 7195948357588979594),
    ('{"type":"null"}', '"null"', 7195948357588979594),
    ('"boolean"', '"boolean"', -6970731678124411036),
    ('"int"', '"int"', 8247732601305521295),
    ('"long"', '"long"', -3434872931120570953),
    ('"float"', '"float"', 5583340709985441680),
    ('"double"', '"double"', -8181574048448539266),
    ('"string"', '"string"', -8142146995180207161),
    ('{"type":"fixed","name":"foo","size":15}', '{"name":"foo","type":"fixed","size":15}', 1756455273707447556),
    ('["int","boolean"]', '["int","boolean"]', 5392556393470105090),
    ('{"type":"record","name":"foo","fields":[]}', '{"name":"foo","type":"record","fields":[]}', -4824392279771201922),
    (
        '{"type":"record","name":"foo","fields":[{"name":"f1","type":"boolean"}]}',
        '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}',
        7843277075252814651,
    ),
    (
        '{"type":"record","name":"PigValue","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
        '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
        -1759257747318642341,
    ),
]


@pytest.mark.parametrize(("schema", "canonical", "expected"), SPEC_VECTORS)
def test_canonical_form_and_fingerprint_match_the_specification(schema, canonical, expected):
    import json

    version = SchemaVersion("test.vector.case", 1, json.loads(schema))
    assert version.canonical_form == canonical
    assert fingerprint_as_long(version.fingerprint) == expected


def test_fingerprint_ignores_docs_and_attribute_order():
    a = SchemaVersion("a.b.c", 1, {"type": "record", "name": "r", "doc": "x", "fields": [{"name": "f", "type": "int"}]})
    b = SchemaVersion("a.b.c", 2, {"fields": [{"type": "int", "name": "f"}], "name": "r", "type": "record"})
    assert a.fingerprint == b.fingerprint
    assert len(a.fingerprint) == 8
