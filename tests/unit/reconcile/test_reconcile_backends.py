"""Backends: DuckDB by default; Spark only with its extra, and the error says how to get it."""

from __future__ import annotations

import sys

import pytest

from govbus.errors import ConfigurationError
from govbus.reconcile.backends import SPARK_EXTRA, MissingExtraError, database_api


def test_duckdb_is_the_default_backend() -> None:
    assert type(database_api()).__name__ == "DuckDBAPI"


def test_spark_without_pyspark_names_the_pip_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if the extra were not installed
    with pytest.raises(MissingExtraError) as raised:
        database_api("spark")
    assert SPARK_EXTRA == "pip install 'govbus[spark]'" and SPARK_EXTRA in str(raised.value)
    assert isinstance(raised.value, ImportError)


def test_an_unknown_backend_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigurationError, match="duckdb, spark"):
        database_api("oracle")
