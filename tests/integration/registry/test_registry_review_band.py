"""The shipped thresholds leave the steward the pairs the model is unsure of, and only those."""

from __future__ import annotations

import pandas as pd
from conftest import land

from govbus.reconcile.accuracy import measure
from govbus.registry.review import review_pairs
from govbus.registry.run import run_incremental
from govbus.registry.state import linked_records
from govbus.store.scratch import scratch_store
from govbus.synthetic.country import generate_country

SOURCES = ["population", "tax", "social", "municipality", "post"]


def test_the_review_queue_holds_the_uncertain_pairs(registry_project, tmp_path, report_counts):
    # Large enough that different people are ever scored as candidates, small enough for a test.
    country = generate_country(3000, seed=7)
    truth = country.truth_frame().query("source in @SOURCES")
    person_of = dict(zip(truth["source"] + ":" + truth["record_id"].astype(str), truth["person_id"]))
    with scratch_store(tmp_path) as store:
        store.migrate()
        for source in SOURCES:
            land(registry_project, store, source, country.sources[source])
        receipt = run_incremental(registry_project, store)
        queued = review_pairs(store)
        with store.begin() as connection:
            links = linked_records(connection)

    assert receipt.review_pairs_added == len(queued) > 0
    # A queue a steward can work through: a small share of the records.
    assert len(queued) < 0.02 * receipt.records
    wrong_in_queue = sum(person_of[p["unique_id_l"]] != person_of[p["unique_id_r"]] for p in queued) / len(queued)
    clusters = pd.DataFrame({"unique_id": list(links), "cluster_id": list(links.values())})
    accepted = measure(clusters, pd.DataFrame({"unique_id": list(person_of), "person_id": list(person_of.values())})).pairs
    wrong_when_accepted = 1 - accepted.precision
    report_counts(
        f"review band on {receipt.records} records: {len(queued)} pairs queued, {wrong_in_queue:.1%} of them different people; "
        f"{accepted.true_positives + accepted.false_positives} links accepted, {wrong_when_accepted:.3%} wrong"
    )
    assert wrong_in_queue > wrong_when_accepted
