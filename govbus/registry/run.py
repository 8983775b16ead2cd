"""A reconciliation run: link the landed agency records into people with stable govbus ids.

``run_incremental`` reads and standardises only the records the registry has not linked (the
others it takes as it keeps them) and re-solves just the clusters they touch; ``run_full``
re-reads and re-links everything. Both keep ids stable by overlap with the people the
registry held before, honour the steward's decisions (a rejected pair never links, an accepted
pair always does), write everything in one transaction, and then tell the bus what changed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select

from govbus.project import Project
from govbus.reconcile.linkage import among, cluster, extend_clusters, predict_pairs, score_new
from govbus.reconcile.mapping import load_mappings
from govbus.reconcile.model import TrainedModel
from govbus.reconcile.model_config import load_model_config
from govbus.registry.audit import record_changes
from govbus.registry.constraints import respect_rejections
from govbus.registry.events import announce
from govbus.registry.golden import LINK_COLUMNS, VALUE_COLUMNS, link_records, owners, retire, write_people
from govbus.registry.ids import assign_ids
from govbus.registry.nearby import near_new_records, people_records
from govbus.registry.records import standard_records
from govbus.registry.state import decided_pairs, id_sequence, linked_records, queue_for_review
from govbus.registry.survivorship import authorities
from govbus.registry.tables import person_xref
from govbus.store.engine import Store

SHIPPED_RECONCILE = Path(__file__).resolve().parents[2] / "reconcile"


@dataclass
class ReconcileReceipt:
    """What one run did."""

    mode: str
    model_version: str = ""
    records: int = 0
    new_records: int = 0
    pairs_scored: int = 0
    people_created: int = 0
    people_merged: int = 0
    people_split: int = 0
    people_updated: int = 0
    review_pairs_added: int = 0
    events_published: int = 0
    events_refused: int = 0  # broke their contract (dead-lettered) or failed to send

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def run_incremental(project: Project, store: Store, *, publisher=None, reconcile_dir: Path | None = None) -> ReconcileReceipt:
    """Link records not yet in the registry; the first run on an empty registry is a full run."""
    return _run(project, store, full=False, publisher=publisher, reconcile_dir=reconcile_dir)


def run_full(project: Project, store: Store, *, publisher=None, reconcile_dir: Path | None = None) -> ReconcileReceipt:
    """Re-link every landed record, keeping ids stable by overlap with the people held before."""
    return _run(project, store, full=True, publisher=publisher, reconcile_dir=reconcile_dir)


def _run(project: Project, store: Store, *, full: bool, publisher, reconcile_dir: Path | None) -> ReconcileReceipt:
    folder = reconcile_dir or reconcile_folder(project)
    model = TrainedModel.load(load_model_config(folder / "person_model.yaml"))
    mappings = load_mappings(folder / "sources.yaml")
    with store.begin() as connection:
        accepted, rejected = decided_pairs(connection)
        full = full or connection.execute(select(person_xref.c.source).limit(1)).first() is None
    if full:
        records = standard_records(project, store, mappings)
        with store.begin() as connection:
            previous = linked_records(connection)
        fresh = records[~among(records["unique_id"], previous)] if not records.empty else records
        scored = predict_pairs(model, records) if not records.empty else None
    else:
        fresh = standard_records(project, store, mappings, unlinked_only=True)
        if fresh.empty and accepted.empty:
            return ReconcileReceipt("incremental", model.version)
        if fresh.empty:  # only the steward's decisions to apply
            fresh = pd.DataFrame({"unique_id": pd.Series(dtype="string")})
        scored, records, previous = _around(store, model, mappings, fresh, accepted, rejected)
    receipt = ReconcileReceipt("full" if full else "incremental", model.version, records=len(records), new_records=len(fresh))
    if records.empty:
        return receipt
    threshold = model.config.thresholds.auto_merge
    receipt.pairs_scored = len(scored)
    keep = ~among(_pair_keys(scored["unique_id_l"], scored["unique_id_r"]), {"\x1f".join(sorted(pair)) for pair in rejected})
    edges = pd.concat([scored[keep][accepted.columns], accepted], ignore_index=True)
    if full:
        clusters = cluster(edges, threshold, records["unique_id"])
    else:
        clusters = extend_clusters(_as_clusters(previous), edges, threshold, fresh["unique_id"])
    clusters = respect_rejections(clusters, edges, rejected, threshold)
    members = _changed_clusters(clusters, previous)
    now = datetime.now(timezone.utc)
    strongest = _strongest(edges, threshold)
    with store.begin() as connection:
        assignment = assign_ids(members, previous, id_sequence(connection))
        # Everyone in a merge or a split is among the changed, so the audit needs no other records.
        changed = {assignment.ids[c]: sorted(uids) for c, uids in members.items()}
        retire(connection, assignment.merges, now)
        held = _held(records, changed, strongest)
        link_records(connection, held if full else _relinked(held, records, previous), previous, model.version, now, values_read_again=full)
        summaries = write_people(connection, held, authorities(project.agencies), now, assignment.created)
        band = scored[keep]
        band = band[(band["match_probability"] >= model.config.thresholds.review) & (band["match_probability"] < threshold)]
        receipt.review_pairs_added = queue_for_review(connection, band, now)
        record_changes(connection, project, assignment, previous, changed, model.version, now)
    receipt.people_created = len(assignment.created)
    receipt.people_merged = sum(len(ids) for ids in assignment.merges.values())
    receipt.people_split = sum(len(ids) for ids in assignment.splits.values())
    receipt.people_updated = len(changed)
    if publisher is not None:
        published = announce(project, publisher, assignment, summaries, model.version, now)
        receipt.events_published = sum(r.sent for r in published)
        receipt.events_refused = sum(r.read - r.sent for r in published)
    return receipt


def reconcile_folder(project: Project) -> Path:
    """Where the project's person model and source mappings are; a project without its own person
    model links with the demo's, shipped beside the package."""
    own = project.root / "reconcile"
    return own if (own / "person_model.yaml").exists() else SHIPPED_RECONCILE


def _changed_clusters(clusters: pd.DataFrame, previous: dict[str, str]) -> dict[str, set[str]]:
    """Cluster -> its records, for every cluster that is not exactly the records of one person held
    before (a new record, records of several people, or part of one). The others keep their person
    as it is, so ids are decided, and people rewritten, for these alone.
    """
    frame = clusters.assign(person=clusters["unique_id"].map(previous))
    held = pd.Series(Counter(previous.values()), dtype="int64")
    per = frame.groupby("cluster_id", sort=False).agg(
        people=("person", "nunique"), known=("person", "count"), size=("unique_id", "size"), person=("person", "first"))
    same = (per["people"] == 1) & (per["known"] == per["size"]) & (per["size"] == per["person"].map(held))
    changed = clusters[among(clusters["cluster_id"], set(per.index[~same.to_numpy(dtype=bool)].tolist()))]
    members: dict[str, set[str]] = {}
    for uid, cluster_id in zip(changed["unique_id"].tolist(), changed["cluster_id"].tolist()):
        members.setdefault(cluster_id, set()).add(uid)
    return members


def _around(store: Store, model: TrainedModel, mappings, fresh: pd.DataFrame, accepted: pd.DataFrame,
            rejected: set[frozenset[str]]) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """An incremental run's pairs, records and their people before it: the new records scored against
    the linked records near them (found in the database) and each other, then every record of each
    person those pairs link a new record to, or the steward's decisions name.
    """
    scored = accepted[:0]
    if not fresh.empty:
        with store.begin() as connection:
            near, frequencies = near_new_records(connection, mappings, model, fresh)
        scored = score_new(model, fresh, near.drop(columns="person_id"), term_frequencies=frequencies)
    strong = scored[scored["match_probability"] >= model.config.thresholds.auto_merge]
    decided = {uid for pair in rejected for uid in pair} | {*accepted["unique_id_l"].tolist(), *accepted["unique_id_r"].tolist()}
    ends = {*strong["unique_id_l"].tolist(), *strong["unique_id_r"].tolist(), *decided}
    with store.begin() as connection:
        members = people_records(connection, mappings, ends)
    previous = dict(zip(members["unique_id"].tolist(), members["person_id"].tolist()))
    return scored, pd.concat([members.drop(columns="person_id"), fresh], ignore_index=True), previous


def _as_clusters(previous: dict[str, str]) -> pd.DataFrame:
    # extend_clusters names a cluster after its smallest member, so person ids are not used here.
    known = pd.DataFrame({"unique_id": list(previous), "person": list(previous.values())})
    known["cluster_id"] = known.groupby("person")["unique_id"].transform("min")
    return known[["unique_id", "cluster_id"]].astype("string")


def _pair_keys(left: pd.Series, right: pd.Series) -> pd.Series:
    """One text key per unordered pair of records, to match pairs whichever way round they come."""
    left, right = left.astype("string"), right.astype("string")
    first = left.where(left <= right, right)
    second = right.where(left <= right, left)
    return first + "\x1f" + second


def _strongest(edges: pd.DataFrame, threshold: float) -> pd.Series:
    """Each linked record's strongest automatic link."""
    strong = edges[edges["match_probability"] >= threshold]
    ends = pd.DataFrame({"unique_id": pd.concat([strong["unique_id_l"], strong["unique_id_r"]], ignore_index=True).astype("string"),
                         "match_probability": pd.concat([strong["match_probability"]] * 2, ignore_index=True).astype(float)})
    ends = ends.sort_values("match_probability").drop_duplicates("unique_id", keep="last")
    return ends.set_index("unique_id")["match_probability"]


def _relinked(held: pd.DataFrame, records: pd.DataFrame, previous: dict[str, str]) -> pd.DataFrame:
    """The records of ``held`` whose link this run changes: the new ones, and those linked before
    that now belong to another person or have a stronger link. The others keep their row as it is,
    with when and by which model they were linked, and the run writes nothing for them."""
    was = held["unique_id"].map(previous)
    before = held["unique_id"].map(records.set_index("unique_id")["match_probability"]).astype(float)
    stronger = ~((before == held["match_probability"]) | (before.isna() & held["match_probability"].isna()))
    return held[(was.isna() | (was != held["person_id"]) | stronger).to_numpy(dtype=bool)]


def _held(records: pd.DataFrame, people: dict[str, list[str]], strongest: pd.Series) -> pd.DataFrame:
    """Every record of the changed ``people``: ``unique_id``, ``LINK_COLUMNS`` and the ``VALUE_COLUMNS`` it holds.

    A record linked before keeps its strongest link unless this run found a stronger one: an
    incremental run scores only the new records' pairs.
    """
    values = [c for c in VALUE_COLUMNS if c in records.columns]
    kept = ["match_probability"] if "match_probability" in records.columns else []
    held = owners(people).merge(records[["unique_id", "source", "record_id", *kept, *values]], on="unique_id", how="left")
    found = held["unique_id"].map(strongest).astype(float)
    held["match_probability"] = np.fmax(found, held["match_probability"].astype(float)) if kept else found
    return held[["unique_id", *LINK_COLUMNS, *values]]
