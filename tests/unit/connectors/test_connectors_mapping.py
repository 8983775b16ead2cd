"""Field mapping: legacy columns become the subject's fields, with the transforms agencies need."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from govbus.connectors.definition import ConnectorDefinition
from govbus.connectors.mapping import MappingError, RecordMapping
from govbus.errors import ConfigurationError
from govbus.project import load_project

REPO = __import__("pathlib").Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def taxpayer():
    return load_project(REPO).registry.get("tax.taxpayer.registered")


def _mapping(schema, mapping) -> RecordMapping:
    definition = ConnectorDefinition(name="t", kind="sql_table", agency="tax", subject=schema.subject, mapping=mapping)
    return RecordMapping.of(definition, schema)


def test_columns_are_renamed_joined_and_transformed(taxpayer):
    mapping = _mapping(taxpayer, {
        "tax_id": "pnr",
        "full_name": {"columns": ["fornamn", "efternamn"], "transform": "upper"},
        "date_of_birth": {"column": "fodd", "transform": "date"},
        "street": {"column": "gata", "transform": "strip"},
        "postcode": "postnr",
        "city": {"value": "Norrvik"},
        "annual_income": {"column": "inkomst", "transform": "int"},
    })
    row = {"pnr": "19800102-1234", "fornamn": "Anna", "efternamn": "Öberg", "fodd": datetime(1980, 1, 2, 0, 0),
           "gata": " Storgatan 1 ", "postnr": "11122", "inkomst": Decimal("412000.00")}
    assert mapping.record(row) == {"tax_id": "19800102-1234", "full_name": "ANNA ÖBERG", "date_of_birth": "1980-01-02",
                                   "street": "Storgatan 1", "postcode": "11122", "city": "Norrvik", "annual_income": 412000}


def test_debezium_dates_and_timestamps_become_iso_text(taxpayer):
    mapping = _mapping(taxpayer, {"date_of_birth": {"column": "born", "transform": "date"}, "full_name": {"column": "seen", "transform": "datetime"}})
    record = mapping.record({"born": 3653, "seen": 1_700_000_000_123_456})
    assert record == {"date_of_birth": "1980-01-02", "full_name": "2023-11-14T22:13:20.123456"}
    assert date.fromisoformat(record["date_of_birth"]) == date(1980, 1, 2)


def test_a_missing_value_stays_missing_rather_than_failing_a_transform(taxpayer):
    mapping = _mapping(taxpayer, {"annual_income": {"column": "inkomst", "transform": ["null_if_empty", "int"]}})
    assert mapping.record({"inkomst": "  "}) == {"annual_income": None}
    assert mapping.record({}) == {"annual_income": None}


def test_a_value_a_transform_cannot_take_names_the_field_and_the_transform(taxpayer):
    mapping = _mapping(taxpayer, {"date_of_birth": {"column": "born", "transform": "date"}})
    with pytest.raises(MappingError, match=r"field 'date_of_birth': transform date failed on '31/12/1980'") as caught:
        mapping.record({"born": "31/12/1980"})
    assert caught.value.field == "date_of_birth"


def test_without_a_mapping_each_field_is_read_from_the_column_of_its_name(taxpayer):
    mapping = _mapping(taxpayer, {})
    row = {"tax_id": "1", "full_name": "A B", "date_of_birth": "1980-01-02", "street": "S 1", "postcode": "11122", "city": "N", "extra": 1}
    assert mapping.record(row) == {**{k: v for k, v in row.items() if k != "extra"}, "annual_income": None}


def test_an_unknown_transform_is_a_configuration_error_listing_the_known_ones(taxpayer):
    with pytest.raises(ConfigurationError, match=r"unknown transform 'reverse' \(known: str, strip"):
        _mapping(taxpayer, {"city": {"column": "town", "transform": "reverse"}})
