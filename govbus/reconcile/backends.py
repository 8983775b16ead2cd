"""Where Splink runs: DuckDB in-process by default, Spark when national volumes outgrow one machine.

Spark is an optional extra; asking for it without pyspark installed is an error that names the
``pip install`` that fixes it.
"""

from __future__ import annotations

import importlib.util
from enum import Enum
from typing import Any

from govbus.errors import ConfigurationError
from govbus.reconcile.settings import ReconcileSettings

SPARK_EXTRA = "pip install 'govbus[spark]'"


class Backend(str, Enum):
    DUCKDB = "duckdb"
    SPARK = "spark"


class MissingExtraError(ConfigurationError, ImportError):
    """An optional backend was asked for but its extra is not installed."""


def backend_named(name: str | Backend) -> Backend:
    try:
        return Backend(name)
    except ValueError:
        raise ConfigurationError(f"unknown backend {name!r}; valid: {', '.join(b.value for b in Backend)}") from None


def database_api(backend: str | Backend = Backend.DUCKDB, settings: ReconcileSettings | None = None) -> Any:
    """A fresh Splink database API for ``backend``, within the resource limits in ``settings``."""
    settings = settings or ReconcileSettings()
    if backend_named(backend) is Backend.DUCKDB:
        import duckdb
        from splink import DuckDBAPI

        return DuckDBAPI(duckdb.connect(":memory:", config=settings.duckdb_config()))
    if importlib.util.find_spec("pyspark") is None:
        raise MissingExtraError(f"the Spark backend needs pyspark; install it with: {SPARK_EXTRA}")
    from govbus.reconcile.spark import spark_database_api

    return spark_database_api(settings)
