"""Golden-record benchmark: the registry's full and incremental runs against plain Splink.

A synthetic country of about ``--records`` records over five agencies is landed into a store
(a SQLite file by default, or ``--store-url``); ``--delta`` of them (1 %) are held back. Then, on
the same records and with the same trained model and thresholds:

- **registry full**: ``run_full`` reads the landed records, standardises, scores, clusters,
  assigns stable person ids, writes links (each with its record's values: the provenance) and
  golden records, and queues the review band, all in one transaction;
- **plain Splink**: the standardised records already in memory, ``predict`` and
  ``cluster_pairwise_predictions_at_threshold`` with the same model (the baseline: linkage alone,
  nothing kept);
- **plain Splink with the store**: what a pipeline stitched by hand around Splink does at least,
  store to store: the landed tables read with pandas, the same standardisation, the same predict
  and cluster, and the clusters written back with pandas (no stable ids, provenance, golden
  records or review queue);
- **registry incremental**: the held-back records are landed and ``run_incremental`` links them,
  reading and standardising only those (the linked records come from their xref rows).

Targets from the reconciliation issue: a full run <= 1.3x plain Splink, an incremental run of a
1 % delta <= 10 % of a full run. The full run is also put beside plain Splink with the store,
which, as a golden-record run must, reads the landed records out of the store and writes its
result back. The last line printed is one JSON object of the figures.

    python bench/registry.py --records 20000
    python bench/registry.py --records 100000 --store-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from pathlib import Path

import pandas as pd
from common import REPO, Stopwatch, finish
from reconcile import country_sources, hold_back, peak_rss_mb, scores
from splink import DuckDBAPI, Linker
from sqlalchemy import column, select, table

from govbus.project import load_project
from govbus.reconcile.accuracy import measure
from govbus.reconcile.mapping import load_mappings, standardise
from govbus.reconcile.model import TrainedModel
from govbus.reconcile.model_config import load_model_config
from govbus.registry.records import land_records, landed_person_tables, standard_records
from govbus.registry.run import run_full, run_incremental
from govbus.registry.state import linked_records
from govbus.store import Store


def land(project, store: Store, sources: dict[str, pd.DataFrame]) -> float:
    with Stopwatch() as watch:
        for name, records in sources.items():
            land_records(project, store, name, records)
    return watch.seconds


def plain_splink(frame: pd.DataFrame, model: TrainedModel) -> tuple[pd.DataFrame, float]:
    """The baseline: Splink's predict and cluster with the same trained model, on records in memory."""
    config = model.config
    with Stopwatch() as watch:
        db_api = DuckDBAPI()
        linker = Linker(db_api.register(frame), model.settings(), log_level=logging.ERROR)
        pairs = linker.inference.predict(threshold_match_probability=config.prediction_floor)
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, config.thresholds.auto_merge)
        result = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    return result, watch.seconds


def plain_splink_with_store(project, store: Store, mappings, model: TrainedModel) -> dict[str, float]:
    """The baseline with the store: read with pandas, standardise, predict and cluster, write back
    with pandas; each part's seconds and the whole."""
    with Stopwatch() as read:
        frames = {}
        with store.engine.connect() as connection:
            for source, name in landed_person_tables(project, connection):
                read_columns = sorted(mappings.source(source).read_columns)
                frames[source] = pd.read_sql(select(*table(name, *map(column, read_columns)).c), connection)
        frame = standardise(frames, mappings)
    clusters, link_seconds = plain_splink(frame, model)
    with Stopwatch() as write:
        clusters.to_sql("plain_splink_clusters", store.engine, index=False, if_exists="replace", chunksize=100_000)
    return {"read": read.seconds, "link": link_seconds, "write": write.seconds, "total": read.seconds + link_seconds + write.seconds}


def registry_clusters(store: Store) -> pd.DataFrame:
    with store.begin() as connection:
        links = linked_records(connection)
    return pd.DataFrame({"unique_id": list(links), "cluster_id": list(links.values())})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000, help="about how many records to reconcile")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--delta", type=float, default=0.01, help="share of records that arrive for the incremental run")
    parser.add_argument("--store-url", default=None, help="SQLAlchemy URL of an empty store (default: a SQLite file)")
    args = parser.parse_args()
    logging.getLogger("splink").setLevel(logging.ERROR)
    project = load_project(REPO)
    model = TrainedModel.load(load_model_config(REPO / "reconcile" / "person_model.yaml"))
    mappings = load_mappings(REPO / "reconcile" / "sources.yaml")

    with tempfile.TemporaryDirectory(prefix="govbus-bench-registry-") as folder:
        store = Store(args.store_url or f"sqlite:///{Path(folder) / 'store.db'}")
        store.migrate()
        sources, truth = country_sources(args.records, args.seed)
        existing, new = hold_back(sources, args.delta, args.seed)
        landed = land(project, store, existing)
        print(f"landed {sum(len(f) for f in existing.values()):,} records in {landed:.1f}s", flush=True)

        with Stopwatch() as read:
            frame = standard_records(project, store, mappings)
        plain_clusters, plain_seconds = plain_splink(frame, model)
        print(f"plain Splink: {plain_seconds:.1f}s", flush=True)
        stored = plain_splink_with_store(project, store, mappings, model)
        print(f"plain Splink with the store: {stored['total']:.1f}s", flush=True)
        with Stopwatch() as full:
            full_receipt = run_full(project, store)
        print(f"registry full: {full.seconds:.1f}s", flush=True)
        existing_truth = truth[truth["unique_id"].isin(frame["unique_id"])]
        full_accuracy = measure(registry_clusters(store), existing_truth)
        plain_accuracy = measure(plain_clusters, existing_truth)

        land(project, store, new)
        with Stopwatch() as incremental:
            incremental_receipt = run_incremental(project, store)
        print(f"registry incremental: {incremental.seconds:.1f}s", flush=True)
        incremental_accuracy = measure(registry_clusters(store), truth)

    figures = {
        "records_full": full_receipt.records,
        "records_incremental": incremental_receipt.new_records,
        "people": int(truth["person_id"].nunique()),
        "store": store.dialect,
        "model_version": model.version,
        "plain_splink_s": round(plain_seconds, 2),
        "registry_full_s": round(full.seconds, 2),
        "registry_read_standardise_s": round(read.seconds, 2),
        "full_ratio_vs_plain": round(full.seconds / plain_seconds, 3),
        **{f"plain_with_store_{part}_s": round(seconds, 2) for part, seconds in stored.items()},
        "full_ratio_vs_plain_with_store": round(full.seconds / stored["total"], 3),
        "registry_incremental_s": round(incremental.seconds, 2),
        "incremental_ratio_vs_full": round(incremental.seconds / full.seconds, 4),
        "people_created": full_receipt.people_created,
        "review_pairs_queued": full_receipt.review_pairs_added + incremental_receipt.review_pairs_added,
        "incremental_pairs_scored": incremental_receipt.pairs_scored,
        "incremental_people_updated": incremental_receipt.people_updated,
        **{f"registry_{k}": v for k, v in scores(full_accuracy).items()},
        **{f"plain_{k}": v for k, v in scores(plain_accuracy).items()},
        **{f"incremental_{k}": v for k, v in scores(incremental_accuracy).items()},
        "peak_rss_mb": round(peak_rss_mb()),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(
        f"\n{figures['records_full']:,} + {figures['records_incremental']:,} records of {figures['people']:,} people, store {figures['store']}\n"
        f"plain Splink predict+cluster   {plain_seconds:8.2f}s  pair P {figures['plain_pairs_precision']:.5f} R {figures['plain_pairs_recall']:.5f}\n"
        f"plain Splink with the store    {stored['total']:8.2f}s  (pandas read and the same standardisation {stored['read']:.2f}s, "
        f"predict+cluster {stored['link']:.2f}s, clusters written {stored['write']:.2f}s)\n"
        f"registry full run              {full.seconds:8.2f}s  pair P {figures['registry_pairs_precision']:.5f} R {figures['registry_pairs_recall']:.5f}"
        f"  (reading and standardising the store: {read.seconds:.2f}s)\n"
        f"registry incremental ({args.delta:.0%})     {incremental.seconds:8.2f}s  pair P {figures['incremental_pairs_precision']:.5f} R {figures['incremental_pairs_recall']:.5f}\n"
        f"full / plain Splink: {figures['full_ratio_vs_plain']}x (target <= 1.3); full / plain Splink with the store: "
        f"{figures['full_ratio_vs_plain_with_store']}x; incremental / full: "
        f"{figures['incremental_ratio_vs_full']:.1%} (target <= 10%); {figures['review_pairs_queued']} pairs for review; "
        f"peak RSS {figures['peak_rss_mb']:,} MB; load average {figures['load_average_1m']}\n"
    )
    finish(figures)


if __name__ == "__main__":
    main()
