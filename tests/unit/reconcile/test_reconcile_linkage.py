"""Linkage with the declared model: accurate at the auto-merge threshold, the same incrementally."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from govbus.reconcile.accuracy import measure
from govbus.reconcile.linkage import PAIR_COLUMNS, cluster, extend_clusters, predict_pairs, score_new
from govbus.reconcile.model import TrainedModel, train


def _partition(clusters: pd.DataFrame) -> set[frozenset[str]]:
    return {frozenset(members) for _, members in clusters.groupby("cluster_id")["unique_id"]}


def test_linking_meets_government_grade_precision_and_recall(shipped_model, records, truth) -> None:
    pairs = predict_pairs(shipped_model, records)
    assert list(pairs.columns) == PAIR_COLUMNS
    assert (pairs["match_probability"] >= shipped_model.config.prediction_floor).all()
    clusters = cluster(pairs, shipped_model.config.thresholds.auto_merge, records["unique_id"])
    assert clusters["unique_id"].is_unique and len(clusters) == len(records)
    accuracy = measure(clusters, truth)
    assert accuracy.pairs.precision >= 0.999 and accuracy.pairs.recall >= 0.99, accuracy.to_dict()


def test_new_records_scored_incrementally_cluster_as_in_a_full_run(shipped_model, records) -> None:
    threshold = shipped_model.config.thresholds.auto_merge
    arriving = np.random.default_rng(1).random(len(records)) < 0.05
    new, existing = records[arriving], records[~arriving]
    before = cluster(predict_pairs(shipped_model, existing), threshold, existing["unique_id"])
    new_pairs = score_new(shipped_model, new, existing)
    new_ids = set(new["unique_id"])
    assert (new_pairs["unique_id_l"].isin(new_ids) | new_pairs["unique_id_r"].isin(new_ids)).all()
    # Each pair once, whichever way round, and never a record with itself.
    pairs = {frozenset(pair) for pair in zip(new_pairs["unique_id_l"], new_pairs["unique_id_r"])}
    assert len(pairs) == len(new_pairs) and all(len(pair) == 2 for pair in pairs)
    after = extend_clusters(before, new_pairs, threshold, new["unique_id"])
    full = cluster(predict_pairs(shipped_model, records), threshold, records["unique_id"])
    assert _partition(after) == _partition(full)


def test_clusters_join_only_at_or_above_the_threshold() -> None:
    pairs = pd.DataFrame({"unique_id_l": ["a", "c"], "unique_id_r": ["b", "d"], "match_weight": [12.0, 5.0],
                          "match_probability": [0.9999, 0.97]})
    clusters = cluster(pairs, 0.999, pd.Series(["a", "b", "c", "d", "e"]))
    assert _partition(clusters) == {frozenset("ab"), frozenset("c"), frozenset("d"), frozenset("e")}
    assert clusters.set_index("unique_id").loc["b", "cluster_id"] == "a"


def test_a_model_trained_without_labels_links_well_and_keeps_its_version(model_config, records, truth, tmp_path: Path) -> None:
    quick = replace(model_config, training=replace(model_config.training, u_max_pairs=3e5))
    model = train(records, quick)
    accuracy = measure(cluster(predict_pairs(model, records), 0.999, records["unique_id"]), truth)
    assert accuracy.pairs.precision >= 0.999 and accuracy.pairs.recall >= 0.98, accuracy.to_dict()
    saved = model.save(tmp_path / "person.json")
    loaded = TrainedModel.load(quick, saved)
    assert loaded.version == model.version and loaded.version.startswith("person-v1@")
    shifted = dict(model.parameters, probability_two_random_records_match=0.5)
    assert TrainedModel(quick, shifted).version != model.version


def test_extending_clusters_names_each_as_a_full_clustering_would() -> None:
    pairs = pd.DataFrame({"unique_id_l": ["b", "d", "x"], "unique_id_r": ["c", "e", "y"], "match_weight": [12.0, 12.0, 12.0],
                          "match_probability": [0.9999, 0.9999, 0.9999]})
    before = cluster(pairs, 0.999, pd.Series(["b", "c", "d", "e", "x", "y"]))
    new_pairs = pd.DataFrame({"unique_id_l": ["a", "c", "f"], "unique_id_r": ["c", "e", "x"], "match_weight": [12.0, 12.0, 5.0],
                              "match_probability": [0.9999, 0.9999, 0.97]})
    after = extend_clusters(before, new_pairs, 0.999, pd.Series(["a", "f"]))
    full = cluster(pd.concat([pairs, new_pairs]), 0.999, pd.Series(["a", "b", "c", "d", "e", "f", "x", "y"]))
    assert dict(zip(after["unique_id"], after["cluster_id"])) == dict(zip(full["unique_id"], full["cluster_id"]))
    assert dict(zip(after["unique_id"], after["cluster_id"])) == {"a": "a", "b": "a", "c": "a", "d": "a", "e": "a",
                                                                  "f": "f", "x": "x", "y": "x"}
