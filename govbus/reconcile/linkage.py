"""Scoring record pairs with a trained model and grouping records into people.

Every function takes and returns pandas frames keyed by ``unique_id`` (``<source>:<record_id>``),
so the store, the golden records and the review queue never touch Splink themselves. Splink's
logging is left to the application (``log_level=None``), and settings are not re-validated when
scoring: ``TrainedModel.load`` and training already checked them.

- ``predict_pairs``: all pairs within a standardised frame (a full run).
- ``score_new``: new records against existing ones and against each other (an incremental run),
  with Splink's ``predict_between`` and ``predict_within``.
- ``cluster``: connected components of the pairs at or above a threshold.
- ``extend_clusters``: the same, re-solving only the clusters that new pairs touch.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd
from splink import Linker
from splink.clustering import cluster_pairwise_predictions_at_threshold

from govbus.reconcile.backends import Backend, database_api
from govbus.reconcile.model import TrainedModel

PAIR_COLUMNS = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]


def predict_pairs(
    model: TrainedModel, frame: pd.DataFrame, backend: str | Backend = Backend.DUCKDB, floor: float | None = None
) -> pd.DataFrame:
    """Scored pairs among ``frame``'s records, those at or above ``floor`` (default: the model's)."""
    linker = Linker(database_api(backend).register(frame), model.settings(), log_level=None, validate_settings=False)
    threshold = model.config.prediction_floor if floor is None else floor
    predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    return _pairs(predictions.as_pandas_dataframe())


def score_new(
    model: TrainedModel,
    new_frame: pd.DataFrame,
    existing_frame: pd.DataFrame,
    backend: str | Backend = Backend.DUCKDB,
    floor: float | None = None,
    term_frequencies: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Scored pairs of each new record with existing records and with the other new records.

    Term frequencies come from existing and new records together, as in a full run, unless given
    (column -> Splink's lookup of ``column`` and ``tf_column``): then ``existing_frame`` need only
    hold the records the new ones may be paired with.
    """
    db_api = database_api(backend)
    new = db_api.register(new_frame, table_name="govbus_new_records")
    if term_frequencies is None:
        everyone = db_api.register(pd.concat([existing_frame, new_frame], ignore_index=True), table_name="govbus_all_records")
        linker = Linker(everyone, model.settings(), log_level=None, validate_settings=False)
        for column in model.term_frequency_columns:
            linker.table_management.compute_tf_table(column)
    else:
        linker = Linker(new, model.settings(), log_level=None, validate_settings=False)
        for column, lookup in term_frequencies.items():
            linker.table_management.register_term_frequency_lookup(db_api.register(lookup, table_name=f"govbus_tf_{column}"), column)
    threshold = model.config.prediction_floor if floor is None else floor
    found = []
    if not existing_frame.empty:
        existing = db_api.register(existing_frame, table_name="govbus_existing_records")
        found.append(linker.inference.predict_between(existing, new, threshold_match_probability=threshold, warning_mode="never"))
    found.append(linker.inference.predict_within(new, threshold_match_probability=threshold, warning_mode="never"))
    return pd.concat([_pairs(f.as_pandas_dataframe()) for f in found], ignore_index=True)


def among(values: pd.Series, wanted: Collection[str]) -> np.ndarray:
    """Which of ``values`` are in ``wanted``: a set lookup per value, many times faster than
    ``Series.isin`` on pandas' Arrow-backed strings, which a run would otherwise call on every record."""
    wanted = wanted if isinstance(wanted, (set, frozenset, dict)) else set(wanted)
    return np.fromiter(map(wanted.__contains__, values.tolist()), dtype=bool, count=len(values))


def _pairs(predictions: pd.DataFrame) -> pd.DataFrame:
    return predictions[PAIR_COLUMNS].reset_index(drop=True)


def cluster(pairs: pd.DataFrame, threshold: float, unique_ids: pd.Series | None = None) -> pd.DataFrame:
    """``unique_id`` -> ``cluster_id``: records connected by pairs at or above ``threshold``.

    Every record in ``unique_ids`` (default: those in ``pairs``) gets a row; one without such pairs
    is a cluster of its own. A cluster's id is the smallest ``unique_id`` in it.
    """
    db_api = database_api(Backend.DUCKDB)
    if unique_ids is None:
        unique_ids = pd.concat([pairs["unique_id_l"], pairs["unique_id_r"]])
    nodes = pd.DataFrame({"unique_id": unique_ids.astype("string").unique()})
    edges = pairs.loc[pairs["match_probability"] >= threshold, ["unique_id_l", "unique_id_r", "match_probability"]]
    clusters = cluster_pairwise_predictions_at_threshold(
        nodes, edges, db_api, "unique_id", threshold_match_probability=threshold
    ).as_pandas_dataframe()
    return clusters[["unique_id", "cluster_id"]].astype("string").reset_index(drop=True)


def extend_clusters(clusters: pd.DataFrame, new_pairs: pd.DataFrame, threshold: float, new_ids: pd.Series) -> pd.DataFrame:
    """Clusters after new records arrive: only clusters touched by a new pair are re-solved.

    ``clusters`` holds the existing records' ``unique_id`` -> ``cluster_id``; the result holds every
    existing and new record. Cluster ids are re-derived (smallest member) only where clusters join.
    """
    strong = new_pairs[new_pairs["match_probability"] >= threshold]
    touched_ids = set(strong["unique_id_l"].tolist()) | set(strong["unique_id_r"].tolist())
    touched = set(clusters["cluster_id"][among(clusters["unique_id"], touched_ids)].tolist())
    inside = among(clusters["cluster_id"], touched)
    affected = clusters[inside]
    # Each affected record stays tied to its cluster through an edge to the cluster's id.
    ties = pd.DataFrame({"unique_id_l": affected["unique_id"], "unique_id_r": affected["cluster_id"], "match_probability": 1.0})
    members = pd.concat([affected["unique_id"], new_ids.astype("string")], ignore_index=True)
    resolved = _components(pd.concat([ties, strong], ignore_index=True), members.tolist())
    untouched = clusters[~inside]
    return pd.concat([untouched, resolved], ignore_index=True)


def _components(edges: pd.DataFrame, nodes: list[str]) -> pd.DataFrame:
    """Connected components of ``edges`` over ``nodes``, as ``cluster``: each named after its smallest member."""
    parent = {node: node for node in nodes}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for left, right in zip(edges["unique_id_l"].tolist(), edges["unique_id_r"].tolist()):
        a, b = root(left), root(right)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return pd.DataFrame({"unique_id": nodes, "cluster_id": [root(node) for node in nodes]}, dtype="string")
