"""The replacement view keeps the table's name, columns and types, and reads the golden records."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.dialects import postgresql, sqlite

from govbus.errors import ConfigurationError
from govbus.holdings.catalogue import Holding
from govbus.holdings.replacement import view_sql

TAX = Holding(name="tax_taxpayer_address", agency="tax", source="tax", url_env="X", table="tax_taxpayer_address",
              key_columns=["tax_id"], columns={"street": "street"}, owner="o", legal_basis="b", retention="1d")
TABLE = Table("tax_taxpayer_address", MetaData(), Column("tax_id", String(20), primary_key=True),
              Column("street", String(100)), Column("floor", Integer))


def test_on_sqlite_the_view_reads_the_golden_value_by_json_path():
    sql = view_sql(TAX, TABLE, sqlite.dialect(), "")

    assert sql.startswith("CREATE VIEW tax_taxpayer_address AS SELECT CAST(x.record_id AS VARCHAR(20)) AS tax_id")
    assert "CAST(json_extract(p.golden, '$.street.value') AS VARCHAR(100)) AS street" in sql
    assert "CAST(NULL AS INTEGER) AS floor" in sql
    assert sql.endswith("FROM person_xref x JOIN person p ON p.person_id = x.person_id WHERE x.source = 'tax'")


def test_on_postgresql_the_view_names_the_registry_schema():
    sql = view_sql(TAX, TABLE, postgresql.dialect(), '"registry".')

    assert "CAST((p.golden #>> '{street,value}') AS VARCHAR(100)) AS street" in sql
    assert 'FROM "registry".person_xref x JOIN "registry".person p' in sql


def test_a_composite_key_cannot_be_read_back_from_record_ids():
    composite = TAX.model_copy(update={"key_columns": ["tax_id", "street"]})

    with pytest.raises(ConfigurationError, match="single key column"):
        view_sql(composite, TABLE, sqlite.dialect(), "")
