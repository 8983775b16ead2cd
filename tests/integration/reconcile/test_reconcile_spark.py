"""The scale path: the shipped model scores the same pairs on local Spark as on DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from govbus.reconcile.accuracy import measure
from govbus.reconcile.backends import SPARK_EXTRA
from govbus.reconcile.linkage import cluster, predict_pairs, score_new
from govbus.reconcile.mapping import load_mappings, standardise
from govbus.reconcile.model import TrainedModel
from govbus.reconcile.model_config import load_model_config
from govbus.synthetic.country import generate_country

spark_sql = pytest.importorskip("pyspark.sql", reason=f"the Spark backend is an optional extra: {SPARK_EXTRA}")

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    country = generate_country(400, seed=17)
    records = standardise(country.sources, load_mappings(REPO_ROOT / "reconcile" / "sources.yaml"))
    truth = country.truth_frame()
    return records, truth.assign(unique_id=truth["source"] + ":" + truth["record_id"])


@pytest.fixture(scope="module")
def model() -> TrainedModel:
    return TrainedModel.load(load_model_config(REPO_ROOT / "reconcile" / "person_model.yaml"))


@pytest.fixture(scope="module", autouse=True)
def small_local_spark() -> Iterator[None]:
    """Settings for a small local session; the session is stopped when the module is done."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVBUS_RECONCILE_SPARK_MASTER", "local[2]")
        patch.setenv("GOVBUS_RECONCILE_SPARK_SHUFFLE_PARTITIONS", "2")
        patch.setenv("GOVBUS_RECONCILE_SPARK_BREAK_LINEAGE_METHOD", "persist")
        yield
    session = spark_sql.SparkSession.getActiveSession()
    if session is not None:
        session.stop()


def _keyed(pairs: pd.DataFrame) -> pd.Series:
    ends = pairs[["unique_id_l", "unique_id_r"]].apply(sorted, axis=1, result_type="expand")
    return pd.Series(pairs["match_probability"].to_numpy(), index=pd.MultiIndex.from_frame(ends)).sort_index()


def test_spark_scores_the_same_pairs_as_duckdb(sample, model: TrainedModel) -> None:
    records, truth = sample
    on_duckdb = predict_pairs(model, records)
    on_spark = predict_pairs(model, records, backend="spark")
    duckdb_scores, spark_scores = _keyed(on_duckdb), _keyed(on_spark)
    assert list(duckdb_scores.index) == list(spark_scores.index)
    assert (duckdb_scores - spark_scores).abs().max() < 1e-9
    accuracy = measure(cluster(on_spark, model.config.thresholds.auto_merge, records["unique_id"]), truth)
    assert accuracy.pairs.precision >= 0.999 and accuracy.pairs.recall >= 0.98, accuracy.to_dict()


def test_spark_scores_new_records_incrementally(sample, model: TrainedModel) -> None:
    records, _ = sample
    new, existing = records.iloc[-20:], records.iloc[:-20]
    on_spark = score_new(model, new, existing, backend="spark")
    on_duckdb = score_new(model, new, existing)
    assert list(_keyed(on_spark).index) == list(_keyed(on_duckdb).index)
