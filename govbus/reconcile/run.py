"""A whole linkage run over agency files: standardise, score, cluster, and the per-record result.

This is what ``govbus reconcile link`` does; a data engineer uses it to try a new dataset (and its
mapping) before it goes live.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from govbus.errors import ConfigurationError
from govbus.reconcile.backends import Backend
from govbus.reconcile.linkage import cluster, predict_pairs
from govbus.reconcile.mapping import SourceMappings, standardise
from govbus.reconcile.model import TrainedModel, train
from govbus.reconcile.model_config import PersonModelConfig, Thresholds
from govbus.reconcile.tables import read_table

LINK_COLUMNS = ["source", "record_id", "person_id", "match_probability"]


@dataclass(frozen=True)
class LinkRun:
    """The outcome of linking: every record's person, and the pairs behind it."""

    model: TrainedModel
    frame: pd.DataFrame
    pairs: pd.DataFrame
    clusters: pd.DataFrame

    @property
    def thresholds(self) -> Thresholds:
        return self.model.config.thresholds

    def person_links(self) -> pd.DataFrame:
        """``source, record_id, person_id, match_probability`` for every record.

        ``person_id`` is the cluster's id; ``match_probability`` is the strongest automatic link that
        put the record in its cluster, missing for a record that stands alone.
        """
        merged = self.pairs[self.pairs["match_probability"] >= self.thresholds.auto_merge]
        ends = pd.concat(
            [merged[["unique_id_l", "match_probability"]].set_axis(["unique_id", "match_probability"], axis=1),
             merged[["unique_id_r", "match_probability"]].set_axis(["unique_id", "match_probability"], axis=1)]
        )
        strongest = ends.groupby("unique_id")["match_probability"].max()
        links = self.frame[["unique_id", "source", "record_id"]].merge(self.clusters, on="unique_id", how="left")
        links["match_probability"] = links["unique_id"].map(strongest)
        return links.rename(columns={"cluster_id": "person_id"})[LINK_COLUMNS]

    def review_pairs(self) -> pd.DataFrame:
        """Pairs in the review band: a steward decides whether they are one person."""
        p = self.pairs["match_probability"]
        return self.pairs[(p >= self.thresholds.review) & (p < self.thresholds.auto_merge)].reset_index(drop=True)

    def summary(self) -> dict[str, object]:
        links = self.person_links()
        return {
            "model_version": self.model.version,
            "records": len(self.frame),
            "records_by_source": self.frame["source"].value_counts().sort_index().to_dict(),
            "people": int(links["person_id"].nunique()),
            "linked_records": int(links["match_probability"].notna().sum()),
            "pairs_scored": len(self.pairs),
            "pairs_merged": int((self.pairs["match_probability"] >= self.thresholds.auto_merge).sum()),
            "pairs_for_review": len(self.review_pairs()),
            "auto_merge_threshold": self.thresholds.auto_merge,
            "review_threshold": self.thresholds.review,
        }


def read_sources(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    return {name: read_table(path) for name, path in paths.items()}


def link_sources(
    source_frames: Mapping[str, pd.DataFrame],
    mappings: SourceMappings,
    config: PersonModelConfig,
    model: TrainedModel | None = None,
    backend: str | Backend = Backend.DUCKDB,
    on_step: Callable[[str], None] | None = None,
) -> LinkRun:
    """Link the sources with ``model``, or with a model trained on them first when it is None."""
    step = on_step or (lambda _: None)
    step("standardise")
    frame = standardise(source_frames, mappings)
    missing = [c for c in config.columns if c not in frame.columns]
    if missing:
        raise ConfigurationError(f"the model reads column(s) {', '.join(missing)}, which the mapping does not define")
    if model is None:
        step("train")
        model = train(frame, config, backend)
    step("score")
    pairs = predict_pairs(model, frame, backend)
    step("cluster")
    clusters = cluster(pairs, config.thresholds.auto_merge, frame["unique_id"])
    return LinkRun(model, frame, pairs, clusters)
