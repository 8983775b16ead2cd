"""A large insert into a small table builds its indexes after the rows instead of keeping them up to date row by row."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Index, Integer, MetaData, Table, Text, func, inspect, select

from govbus.store.bulk import indexes_built_after, insert_columns

ROWS = 20_000


@pytest.fixture
def residents(empty_store):
    table = Table("resident", MetaData(), Column("resident_id", Integer, primary_key=True), Column("postcode", Text),
                  Index("ix_resident_postcode", "postcode"))
    table.create(empty_store.engine)
    return empty_store, table


def _insert(connection, table, first: int, count: int) -> None:
    ids = list(range(first, first + count))
    insert_columns(connection, table, {"resident_id": ids, "postcode": [f"{i % 977:05d}" for i in ids]})


def _indexes(connection) -> set[str]:
    return {index["name"] for index in inspect(connection).get_indexes("resident")}


def test_indexes_are_dropped_for_a_large_insert_and_built_again(residents):
    store, table = residents
    seen = []
    with store.begin() as connection:
        with indexes_built_after(connection, table, ROWS):
            seen.append(_indexes(connection))
            _insert(connection, table, 0, ROWS)
        assert _indexes(connection) == {"ix_resident_postcode"}
        # The rebuilt index answers as the table does.
        found = connection.execute(select(func.count()).select_from(table).where(table.c.postcode == "00005")).scalar_one()
    assert seen == [set()]
    assert found == len([i for i in range(ROWS) if i % 977 == 5])


def test_an_insert_smaller_than_the_table_keeps_the_indexes(residents):
    store, table = residents
    with store.begin() as connection:
        _insert(connection, table, 0, ROWS)
        with indexes_built_after(connection, table, ROWS // 2):
            assert _indexes(connection) == {"ix_resident_postcode"}
            _insert(connection, table, ROWS, ROWS // 2)


def test_a_failed_insert_leaves_the_indexes_as_they_were(residents):
    store, table = residents
    with pytest.raises(RuntimeError), store.begin() as connection, indexes_built_after(connection, table, ROWS):
        _insert(connection, table, 0, ROWS)
        raise RuntimeError("the run failed after its rows")
    with store.begin() as connection:
        assert _indexes(connection) == {"ix_resident_postcode"}
        assert connection.execute(select(func.count()).select_from(table)).scalar_one() == 0
