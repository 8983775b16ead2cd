"""The Spark backend: the same model on Splink's SparkAPI, for when one machine is not enough.

Imported only when Spark is asked for (``pip install 'govbus[spark]'``). An active Spark session
(a cluster's) is used as it is; otherwise a local one is started from ``ReconcileSettings``, with
Splink's jar of similarity functions (Jaro-Winkler and friends run in the JVM).
"""

from __future__ import annotations

import sys
import tempfile
from typing import Any

from pyspark.sql import SparkSession
from splink.backends.spark import SparkAPI, similarity_jar_location

from govbus.reconcile.settings import ReconcileSettings


def local_spark_session(settings: ReconcileSettings) -> SparkSession:
    """The active Spark session, or a local one sized by ``settings``."""
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    # A local session's scratch (its SQL warehouse, Splink's checkpoints) goes to a folder of its
    # own, not into the working directory.
    scratch = tempfile.mkdtemp(prefix="govbus-spark-")
    session = (
        SparkSession.builder.master(settings.spark_master)
        .appName("govbus-reconcile")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", settings.spark_driver_memory)
        .config("spark.sql.shuffle.partitions", str(settings.spark_shuffle_partitions))
        .config("spark.default.parallelism", str(settings.spark_shuffle_partitions))
        .config("spark.pyspark.python", sys.executable)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", f"{scratch}/warehouse")
        .getOrCreate()
    )
    # Splink breaks long query lineages by checkpointing; Spark needs somewhere to put them.
    session.sparkContext.setCheckpointDir(f"{scratch}/checkpoints")
    return session


def spark_database_api(settings: ReconcileSettings) -> Any:
    return SparkAPI(spark_session=local_spark_session(settings), break_lineage_method=settings.spark_break_lineage_method)
