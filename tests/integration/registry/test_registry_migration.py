"""The registry's migrations keep every value: provenance moved onto the xref rows (``reconcile_0002``) and back,
golden records as jsonb (``reconcile_0003``), name keys derived for records linked before ``reconcile_0004``,
the year of birth in the whole-name index (``reconcile_0005``)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import select, text

from govbus.holdings.replacement import golden_sql
from govbus.reconcile.transforms import name_key
from govbus.registry.tables import person_xref
from govbus.store.engine import alembic_config

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
# A person with a population and a tax record, and a tax record of someone else.
LINKS = [("population", "19800101-1234", "P000000001"), ("tax", "19800101-1234", "P000000001"), ("tax", "19900202-0000", "P000000002")]
PROVENANCE = [
    ("P000000001", "given_name", "population", "19800101-1234", "anna"),
    ("P000000001", "street", "population", "19800101-1234", "storgatan 1"),
    ("P000000001", "given_name", "tax", "19800101-1234", "ana"),
    ("P000000001", "national_id", "tax", "19800101-1234", "198001011234"),
    ("P000000002", "postcode", "tax", "19900202-0000", "11122"),
]


@pytest.fixture
def store_at_first_revision(empty_store):
    """A store whose registry tables are as ``reconcile_0001`` made them, with links and provenance."""
    with empty_store.begin() as connection:
        command.upgrade(alembic_config(connection), "reconcile_0001")
        connection.execute(text("INSERT INTO person_xref (source, record_id, person_id, match_probability, model_version, linked_at) "
                                "VALUES (:s, :r, :p, 0.9999, 'person-v1@test', :t)"),
                           [{"s": s, "r": r, "p": p, "t": T0} for s, r, p in LINKS])
        connection.execute(text("INSERT INTO person_attribute (person_id, attribute, source, record_id, value, observed_at) "
                                "VALUES (:p, :a, :s, :r, :v, :t)"),
                           [{"p": p, "a": a, "s": s, "r": r, "v": v, "t": T0} for p, a, s, r, v in PROVENANCE])
    return empty_store


def _provenance(connection) -> set[tuple]:
    return {tuple(row) for row in connection.execute(text("SELECT person_id, attribute, source, record_id, value FROM person_attribute"))}


def test_values_move_onto_the_xref_rows_and_back(store_at_first_revision):
    store = store_at_first_revision
    store.migrate()
    with store.begin() as connection:
        rows = {(r.source, r.record_id): r for r in connection.execute(select(person_xref))}
        tables = set(connection.dialect.get_table_names(connection))
    assert "person_attribute" not in tables
    assert len(rows) == len(LINKS)
    population, tax, other = rows["population", "19800101-1234"], rows["tax", "19800101-1234"], rows["tax", "19900202-0000"]
    assert (population.given_name, population.street, population.national_id) == ("anna", "storgatan 1", None)
    assert (tax.given_name, tax.national_id, other.postcode, other.given_name) == ("ana", "198001011234", "11122", None)
    # SQLite hands the time back naive; both hold it in UTC.
    assert all(r.observed_at.replace(tzinfo=timezone.utc) == T0 for r in rows.values())

    with store.begin() as connection:
        command.downgrade(alembic_config(connection), "reconcile_0001")
        assert _provenance(connection) == set(PROVENANCE)
        columns = {c["name"] for c in connection.dialect.get_columns(connection, "person_xref")}
    assert "given_name" not in columns and "observed_at" not in columns


def test_golden_records_become_jsonb_and_views_over_them_keep_answering(empty_store):
    dialect = empty_store.dialect
    document = "CAST(:golden AS json)" if dialect == "postgresql" else ":golden"  # SQLite would make a number of it
    with empty_store.begin() as connection:
        command.upgrade(alembic_config(connection), "reconcile_0002")
        connection.execute(text(f"INSERT INTO person (person_id, created_at, updated_at, golden) VALUES ('P000000001', :t, :t, {document})"),
                           {"t": T0, "golden": json.dumps({"street": {"value": "storgatan 1", "source": "population"}})})
        # A retired holding's replacement view reads golden values straight from the table.
        connection.exec_driver_sql(f"CREATE VIEW tax_address AS SELECT p.person_id, {golden_sql(dialect, 'street')} AS street FROM person p")
    empty_store.migrate()
    with empty_store.begin() as connection:
        assert connection.execute(text("SELECT person_id, street FROM tax_address")).all() == [("P000000001", "storgatan 1")]
        assert _golden_type(connection) == ("jsonb" if dialect == "postgresql" else "JSON")
        command.downgrade(alembic_config(connection), "reconcile_0002")
        assert connection.execute(text("SELECT person_id, street FROM tax_address")).all() == [("P000000001", "storgatan 1")]
        assert _golden_type(connection) == ("json" if dialect == "postgresql" else "JSON")


def _golden_type(connection) -> str:
    if connection.dialect.name == "postgresql":
        return connection.execute(text("SELECT data_type FROM information_schema.columns "
                                       "WHERE table_schema = current_schema() AND table_name = 'person' AND column_name = 'golden'")).scalar_one()
    return next(row[2] for row in connection.exec_driver_sql("PRAGMA table_info(person)") if row[1] == "golden")


def test_name_keys_are_derived_for_records_linked_before_them(empty_store):
    with empty_store.begin() as connection:
        command.upgrade(alembic_config(connection), "reconcile_0003")
        connection.execute(text("INSERT INTO person_xref (source, record_id, person_id, model_version, linked_at, given_name, family_name) "
                                "VALUES (:s, :r, :p, 'person-v1@test', :t, :g, :f)"),
                           [{"s": s, "r": r, "p": p, "t": T0, "g": g, "f": f}
                            for (s, r, p), (g, f) in zip(LINKS, [("youssef", "andersson"), ("jusuf", None), (None, "andersson")])])
    empty_store.migrate()
    with empty_store.begin() as connection:
        keys = {(r.source, r.record_id): (r.given_name_key, r.family_name_key) for r in connection.execute(select(person_xref))}
        indexes = _index_definitions(connection)
        # Derived as the source mapping derives them: the same key for a name in two spellings.
        assert keys == {LINKS[0][:2]: (name_key_of("youssef"), name_key_of("andersson")), LINKS[1][:2]: (name_key_of("jusuf"), None),
                        LINKS[2][:2]: (None, name_key_of("andersson"))}
        assert keys[LINKS[0][:2]][0] == keys[LINKS[1][:2]][0]
        assert {"ix_person_xref_date_of_birth", "ix_person_xref_family_name", "ix_person_xref_national_id"} <= set(indexes)
        command.downgrade(alembic_config(connection), "reconcile_0003")
        columns = {c["name"] for c in connection.dialect.get_columns(connection, "person_xref")}
        assert "given_name_key" not in columns and "family_name_key" not in columns


def test_the_whole_name_index_holds_the_year_of_birth_and_the_date_again_after_a_downgrade(empty_store):
    with empty_store.begin() as connection:
        command.upgrade(alembic_config(connection), "reconcile_0004")
        assert "date_of_birth)" in _index_definitions(connection)["ix_person_xref_family_name"]
        command.upgrade(alembic_config(connection), "reconcile_0005")
        assert "substr(date_of_birth, 1, 4)" in _index_definitions(connection)["ix_person_xref_family_name"]
        command.downgrade(alembic_config(connection), "reconcile_0004")
        definition = _index_definitions(connection)["ix_person_xref_family_name"]
    assert "substr" not in definition and "date_of_birth)" in definition


def _index_definitions(connection) -> dict[str, str]:
    """Index name -> its definition, from the database itself: SQLAlchemy does not reflect expression indexes on SQLite."""
    if connection.dialect.name == "postgresql":
        query = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'person_xref'"
    else:
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'person_xref' AND sql IS NOT NULL"
    return {name: definition for name, definition in connection.exec_driver_sql(query)}


def name_key_of(name: str) -> str:
    return name_key(pd.Series([name], dtype="string")).iloc[0]
