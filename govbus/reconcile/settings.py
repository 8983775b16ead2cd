"""Resource limits for linkage runs. ``GOVBUS_RECONCILE_DUCKDB_MEMORY_LIMIT=8GB`` and so on."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ReconcileSettings(BaseSettings):
    """How much of the machine a linkage run may take; unset means the engine's own default."""

    model_config = SettingsConfigDict(env_prefix="GOVBUS_RECONCILE_", extra="ignore")

    duckdb_memory_limit: str | None = None
    duckdb_threads: int | None = None
    # Where DuckDB spills when a run outgrows memory (a million people fit without it).
    duckdb_temp_directory: str | None = None
    spark_master: str = "local[2]"
    spark_driver_memory: str = "2g"
    spark_shuffle_partitions: int = 8
    # How Splink cuts long Spark query plans: "parquet" (its default) suits big data on a
    # cluster; "persist" keeps small local runs in memory.
    spark_break_lineage_method: str | None = None

    def duckdb_config(self) -> dict[str, str | int]:
        config = {
            "memory_limit": self.duckdb_memory_limit,
            "threads": self.duckdb_threads,
            "temp_directory": self.duckdb_temp_directory,
        }
        return {key: value for key, value in config.items() if value is not None}
