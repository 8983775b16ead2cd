"""Keeping rejected pairs apart: a steward's "not the same person" holds even through third records.

Connected components would join a rejected pair through a record linked to both; a cluster that
holds both ends of a rejected pair is rebuilt from its own links, strongest first, skipping any
link that would put a rejected pair together.
"""

from __future__ import annotations

import pandas as pd

from govbus.reconcile.linkage import among


def respect_rejections(clusters: pd.DataFrame, edges: pd.DataFrame, rejected: set[frozenset[str]], threshold: float) -> pd.DataFrame:
    """``clusters`` (unique_id, cluster_id) with every cluster holding a rejected pair re-solved."""
    if not rejected:
        return clusters
    cluster_of = dict(zip(clusters["unique_id"], clusters["cluster_id"]))
    broken = {cluster_of.get(a) for pair in rejected if len(pair) == 2 for a in pair
              if len({cluster_of.get(b) for b in pair}) == 1 and cluster_of.get(a) is not None}
    if not broken:
        return clusters
    in_broken = among(clusters["cluster_id"], broken)
    inside = clusters[in_broken]
    held = set(inside["unique_id"].tolist())
    strong = edges[(edges["match_probability"] >= threshold)
                   & among(edges["unique_id_l"], held) & among(edges["unique_id_r"], held)]
    groups = {uid: {uid} for uid in inside["unique_id"]}
    for left, right in strong.sort_values("match_probability", ascending=False)[["unique_id_l", "unique_id_r"]].itertuples(index=False):
        a, b = groups[left], groups[right]
        if a is b or any(frozenset((x, y)) in rejected for x in a for y in b):
            continue
        a |= b
        for uid in b:
            groups[uid] = a
    resolved = pd.DataFrame({"unique_id": list(groups), "cluster_id": [min(g) for g in groups.values()]}, dtype="string")
    return pd.concat([clusters[~in_broken], resolved], ignore_index=True)
