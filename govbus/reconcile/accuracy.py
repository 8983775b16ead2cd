"""How well clusters match the truth: precision, recall and F1 on record pairs and on clusters.

- **Pairs**: two records in one predicted cluster are a predicted link; two records of one true
  person are a true link. A false positive merges two citizens; a false negative misses a link.
- **Clusters**: a predicted cluster is right when it holds exactly one true person's records, all
  of them. Precision is the share of predicted clusters that are right, recall the share of true
  people recovered exactly.

Pairs are counted from cluster sizes, never enumerated, so a million records is cheap.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True)
class Scores:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {**asdict(self), "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True)
class Accuracy:
    pairs: Scores
    clusters: Scores

    def meets(self, precision: float, recall: float) -> bool:
        """True when pair precision and recall both reach the targets."""
        return self.pairs.precision >= precision and self.pairs.recall >= recall

    def to_dict(self) -> dict[str, dict[str, float | int]]:
        return {"pairs": self.pairs.to_dict(), "clusters": self.clusters.to_dict()}


def _links(group_sizes: pd.Series) -> int:
    sizes = group_sizes.astype("int64")
    return int((sizes * (sizes - 1) // 2).sum())


def measure(clusters: pd.DataFrame, truth: pd.DataFrame) -> Accuracy:
    """Compare ``unique_id`` -> ``cluster_id`` with ``unique_id`` -> ``person_id``.

    Both must cover the same records; a record missing from either is an error, not a miss.
    """
    joined = clusters[["unique_id", "cluster_id"]].merge(truth[["unique_id", "person_id"]], on="unique_id", how="outer", indicator=True)
    unmatched = int((joined["_merge"] != "both").sum())
    if unmatched:
        raise ValueError(f"{unmatched} record(s) are in only one of clusters and truth")
    both = _links(joined.groupby(["cluster_id", "person_id"]).size())
    predicted = _links(joined.groupby("cluster_id").size())
    actual = _links(joined.groupby("person_id").size())
    pairs = Scores(both, predicted - both, actual - both)

    # A cluster is exact when its members are one person's records and that person has no others.
    per_cluster = joined.groupby("cluster_id").agg(people=("person_id", "nunique"), size=("unique_id", "size"), person=("person_id", "first"))
    person_size = joined.groupby("person_id").size()
    exact = int(((per_cluster["people"] == 1) & (per_cluster["size"].to_numpy() == person_size.reindex(per_cluster["person"]).to_numpy())).sum())
    clusters_scores = Scores(exact, len(per_cluster) - exact, len(person_size) - exact)
    return Accuracy(pairs, clusters_scores)
