"""Landed tables take their shape from the subject's Avro schema."""

from __future__ import annotations

import pytest
from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Float, Integer, LargeBinary, Numeric, Text, Uuid

from govbus.land.columns import field_columns
from govbus.land.tables import landed_table_name
from govbus.schemas.version import SchemaVersion

CASE = {
    "type": "record",
    "name": "CaseOpened",
    "namespace": "govbus.migration.case",
    "fields": [
        {"name": "case_id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "applicant", "type": "string"},
        {"name": "nationality", "type": ["null", "string"], "default": None},
        {"name": "children", "type": "int"},
        {"name": "fee_paid", "type": "long"},
        {"name": "urgent", "type": "boolean"},
        {"name": "score", "type": "double"},
        {"name": "ratio", "type": ["null", "float"], "default": None},
        {"name": "step", "type": {"type": "enum", "name": "Step", "symbols": ["EMBASSY", "BOARD", "APPEAL"]}},
        {"name": "previous_step", "type": ["null", "Step"], "default": None},
        {"name": "filed_on", "type": {"type": "int", "logicalType": "date"}},
        {"name": "decided_at", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}], "default": None},
        {"name": "fee", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
        {"name": "photo", "type": ["null", "bytes"], "default": None},
        {"name": "aliases", "type": {"type": "array", "items": "string"}},
        {"name": "passport", "type": {"type": "record", "name": "Passport", "fields": [{"name": "number", "type": "string"}]}},
        {"name": "reference", "type": ["null", "string", "long"], "default": None},
    ],
}


@pytest.fixture(scope="module")
def columns():
    version = SchemaVersion("migration.case.opened", 1, CASE)
    return {column.name: column for column in field_columns(version, ["case_id"])}


@pytest.mark.parametrize(
    ("field", "sql_type", "nullable"),
    [
        ("case_id", Uuid, False),
        ("applicant", Text, False),
        ("nationality", Text, True),
        ("children", Integer, False),
        ("fee_paid", BigInteger, False),
        ("urgent", Boolean, False),
        ("score", Float, False),
        ("ratio", Float, True),
        ("step", Text, False),
        ("previous_step", Text, True),
        ("filed_on", Date, False),
        ("decided_at", DateTime, True),
        ("fee", Numeric, False),
        ("photo", LargeBinary, True),
        ("aliases", JSON, False),
        ("passport", JSON, False),
        ("reference", JSON, True),
    ],
)
def test_each_avro_type_gets_its_sql_type_and_null_only_where_the_schema_allows(columns, field, sql_type, nullable):
    assert isinstance(columns[field].type, sql_type)
    assert columns[field].nullable is nullable


def test_the_topic_key_is_the_primary_key(columns):
    assert [name for name, column in columns.items() if column.primary_key] == ["case_id"]
    assert columns["decided_at"].type.timezone


def test_decimals_keep_their_precision_and_scale(columns):
    assert (columns["fee"].type.precision, columns["fee"].type.scale) == (9, 2)


def test_table_names_are_safe_identifiers_that_fit_postgresql():
    assert landed_table_name("population.person.registered") == "land_population_person_registered"
    long_topics = [f"population.person.registered.test-{'x' * 80}.{n}" for n in range(2)]
    names = [landed_table_name(topic) for topic in long_topics]
    assert all(len(name) <= 63 and name.replace("_", "").isalnum() for name in names)
    assert names[0] != names[1]
