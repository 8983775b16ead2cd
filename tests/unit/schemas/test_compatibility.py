"""Compatibility modes: each direction a subject promises is enforced, and problems name the field."""

import json

import pytest

from govbus.errors import ConfigurationError
from govbus.schemas.compatibility import CompatibilityMode
from govbus.schemas.registry import SchemaRegistry

BASE = [{"name": "national_id", "type": "string"}, {"name": "city", "type": "string"}]
WITH_OPTIONAL = BASE + [{"name": "moved_on", "type": ["null", "string"], "default": None}]
WITH_REQUIRED = BASE + [{"name": "postcode", "type": "string"}]
WITHOUT_CITY = BASE[:1]
CITY_AS_INT = [BASE[0], {"name": "city", "type": "int"}]


def make_registry(tmp_path, versions, mode=None):
    subject = tmp_path / "schemas" / "population.person.address_changed"
    subject.mkdir(parents=True)
    for number, fields in enumerate(versions, start=1):
        schema = {"type": "record", "name": "AddressChanged", "fields": fields}
        (subject / f"v{number}.avsc").write_text(json.dumps(schema))
    if mode:
        (subject / "subject.yaml").write_text(f"compatibility: {mode}\n")
    return SchemaRegistry.load(tmp_path / "schemas")


def test_adding_an_optional_field_is_compatible_in_every_mode(tmp_path):
    for mode in ("BACKWARD", "FORWARD", "FULL_TRANSITIVE"):
        folder = tmp_path / mode
        assert make_registry(folder, [BASE, WITH_OPTIONAL], mode).check() == []


def test_backward_refuses_a_new_required_field_and_names_it(tmp_path):
    problems = make_registry(tmp_path, [BASE, WITH_REQUIRED]).check()
    assert len(problems) == 1
    problem = problems[0]
    assert problem.mode is CompatibilityMode.BACKWARD
    assert problem.fields == ("postcode",)
    message = str(problem)
    assert "population.person.address_changed" in message and "v2" in message and "v1" in message
    assert "postcode" in message


def test_forward_refuses_removing_a_field_without_default(tmp_path):
    problems = make_registry(tmp_path, [BASE, WITHOUT_CITY], "FORWARD").check()
    assert [p.direction for p in problems] == ["forward"]
    assert problems[0].fields == ("city",)
    # The same removal is fine for BACKWARD: new readers simply ignore the old field.
    assert make_registry(tmp_path / "b", [BASE, WITHOUT_CITY], "BACKWARD").check() == []


def test_type_change_breaks_full_in_both_directions(tmp_path):
    problems = make_registry(tmp_path, [BASE, CITY_AS_INT], "FULL").check()
    assert {p.direction for p in problems} == {"backward", "forward"}
    assert all(p.fields == ("city",) for p in problems)


def test_transitive_modes_check_every_earlier_version(tmp_path):
    # v2 drops the default-less field, v3 brings it back: v3 vs v2 is fine, v3 vs v1 too for BACKWARD,
    # but FORWARD_TRANSITIVE makes v1 readers read v2 data, which lacks city.
    versions = [BASE, WITHOUT_CITY, BASE]
    assert make_registry(tmp_path / "plain", versions, "FORWARD").check() != []
    transitive = make_registry(tmp_path / "t", versions, "FORWARD_TRANSITIVE").check()
    assert {(p.reader_version, p.writer_version) for p in transitive} == {(1, 2)}


def test_none_mode_allows_anything(tmp_path):
    assert make_registry(tmp_path, [BASE, CITY_AS_INT], "NONE").check() == []


def test_unknown_mode_is_a_configuration_error_listing_valid_ones(tmp_path):
    with pytest.raises(ConfigurationError, match="BACKWARD_TRANSITIVE"):
        make_registry(tmp_path, [BASE], "SIDEWAYS")


def test_registry_rejects_badly_named_version_files(tmp_path):
    subject = tmp_path / "schemas" / "population.person.address_changed"
    subject.mkdir(parents=True)
    (subject / "latest.avsc").write_text(json.dumps({"type": "record", "name": "A", "fields": BASE}))
    with pytest.raises(ConfigurationError, match="v<N>.avsc"):
        SchemaRegistry.load(tmp_path / "schemas")
