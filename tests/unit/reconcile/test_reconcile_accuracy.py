"""Accuracy against the truth: a false merge costs precision, a missed link costs recall."""

from __future__ import annotations

import pandas as pd
import pytest

from govbus.reconcile.accuracy import measure

TRUTH = pd.DataFrame({"unique_id": list("abcdef"), "person_id": ["p1", "p1", "p1", "p2", "p2", "p3"]})


def _clusters(groups: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": list("abcdef"), "cluster_id": groups})


def test_perfect_clusters_score_one_everywhere() -> None:
    accuracy = measure(_clusters(["x", "x", "x", "y", "y", "z"]), TRUTH)
    assert accuracy.pairs.precision == accuracy.pairs.recall == accuracy.pairs.f1 == 1.0
    assert accuracy.clusters.precision == accuracy.clusters.recall == 1.0
    assert accuracy.meets(0.999, 0.99)


def test_merging_two_citizens_counts_every_wrong_pair() -> None:
    accuracy = measure(_clusters(["x", "x", "x", "y", "y", "y"]), TRUTH)
    assert (accuracy.pairs.true_positives, accuracy.pairs.false_positives, accuracy.pairs.false_negatives) == (4, 2, 0)
    assert accuracy.pairs.precision == pytest.approx(4 / 6) and accuracy.pairs.recall == 1.0
    assert accuracy.clusters.true_positives == 1 and accuracy.clusters.false_negatives == 2
    assert not accuracy.meets(0.999, 0.99)


def test_a_missed_link_costs_recall_not_precision() -> None:
    accuracy = measure(_clusters(["x", "x", "w", "y", "y", "z"]), TRUTH)
    assert accuracy.pairs.precision == 1.0 and accuracy.pairs.recall == pytest.approx(2 / 4)
    assert accuracy.clusters.precision == pytest.approx(2 / 4) and accuracy.clusters.recall == pytest.approx(2 / 3)


def test_records_missing_from_either_side_are_an_error_not_a_miss() -> None:
    with pytest.raises(ValueError, match="1 record"):
        measure(_clusters(["x", "x", "x", "y", "y", "z"]).head(5), TRUTH)
