"""An incremental run reads only the records the registry has not linked; of the others it reads only those a new
record may be paired with, as the registry keeps them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pandas as pd
import pytest
from sqlalchemy import select
from conftest import REPO_ROOT, land

from govbus.errors import ConfigurationError, ViolationError
from govbus.reconcile.linkage import score_new
from govbus.reconcile.mapping import StandardColumn, load_mappings
from govbus.reconcile.model import TrainedModel
from govbus.reconcile.model_config import load_model_config
from govbus.registry.nearby import near_new_records
from govbus.registry.records import linked_values, standard_records
from govbus.registry.run import run_incremental
from govbus.registry.tables import person_xref

FIRST = ["population", "tax", "social", "municipality"]


@pytest.fixture
def mappings():
    return load_mappings(REPO_ROOT / "reconcile" / "sources.yaml")


def test_linked_records_read_back_as_they_were_standardised(fresh_store, registry_project, small_country, mappings):
    for source in FIRST:
        land(registry_project, fresh_store, source, small_country.sources[source])
    run_incremental(registry_project, fresh_store)
    land(registry_project, fresh_store, "post", small_country.sources["post"])

    everything = standard_records(registry_project, fresh_store, mappings)
    unlinked = standard_records(registry_project, fresh_store, mappings, unlinked_only=True)
    with fresh_store.begin() as connection:
        kept = linked_values(connection, mappings)

    # The database leaves out every linked record: what is read is the new agency's, all of it.
    assert set(unlinked["source"]) == {"post"} and len(unlinked) == len(small_country.sources["post"])
    assert len(kept) + len(unlinked) == len(everything)
    # Every standard column, derived ones too, and the event time come back as standardising gave them.
    columns = ["unique_id", "source", "record_id", *mappings.standard_columns, "observed_at"]
    expected = everything[everything["source"] != "post"][columns].sort_values("unique_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(kept[columns].sort_values("unique_id").reset_index(drop=True), expected, check_dtype=False)
    assert kept["person_id"].notna().all()


def test_each_record_carries_the_time_of_its_own_event(fresh_store, registry_project, small_country, mappings):
    landed_at = {source: datetime(2026, 1, 1 + day, tzinfo=timezone.utc) for day, source in enumerate([*FIRST, "post"])}
    for source, when in landed_at.items():
        land(registry_project, fresh_store, source, small_country.sources[source], when)

    records = standard_records(registry_project, fresh_store, mappings)

    assert len(records) == sum(len(small_country.sources[s]) for s in landed_at)
    expected = pd.to_datetime(records["source"].map(landed_at), utc=True)
    assert (pd.to_datetime(records["observed_at"], utc=True) == expected).all()


def test_a_standard_column_the_registry_does_not_keep_is_named(fresh_store, mappings):
    extra = replace(mappings, standard_columns={**mappings.standard_columns, "phone": StandardColumn("phone", "digits")})
    with fresh_store.begin() as connection, pytest.raises(ConfigurationError, match="phone"):
        linked_values(connection, extra)


def test_new_records_score_against_their_neighbours_as_against_every_linked_record(fresh_store, registry_project, small_country, mappings):
    for source in FIRST:
        land(registry_project, fresh_store, source, small_country.sources[source])
    run_incremental(registry_project, fresh_store)
    land(registry_project, fresh_store, "post", small_country.sources["post"])
    model = TrainedModel.load(load_model_config(REPO_ROOT / "reconcile" / "person_model.yaml"))
    fresh = standard_records(registry_project, fresh_store, mappings, unlinked_only=True)
    with fresh_store.begin() as connection:
        near, frequencies = near_new_records(connection, mappings, model, fresh)
        everyone = linked_values(connection, mappings)

    narrowed = score_new(model, fresh, near.drop(columns="person_id"), term_frequencies=frequencies)
    against_all = score_new(model, fresh, everyone.drop(columns="person_id"))
    # The database finds a fraction of the linked records, and the same pairs come out, scored the same.
    assert 0 < len(near) < len(everyone) / 2
    assert len(narrowed) > len(fresh) / 2
    assert _scored(narrowed) == _scored(against_all)


def test_a_rule_over_a_column_the_registry_does_not_keep_reads_every_linked_record(fresh_store, registry_project, small_country, mappings):
    land(registry_project, fresh_store, "population", small_country.sources["population"])
    run_incremental(registry_project, fresh_store)
    land(registry_project, fresh_store, "tax", small_country.sources["tax"])
    model = TrainedModel.load(load_model_config(REPO_ROOT / "reconcile" / "person_model.yaml"))
    model = replace(model, config=replace(model.config, blocking_rules=[*model.config.blocking_rules, ["phone"]]))
    fresh = standard_records(registry_project, fresh_store, mappings, unlinked_only=True)
    with fresh_store.begin() as connection:
        near, frequencies = near_new_records(connection, mappings, model, fresh)
    assert len(near) == len(small_country.sources["population"]) and frequencies is None


def _scored(pairs: pd.DataFrame) -> set[tuple]:
    return {(*sorted((left, right)), round(p, 9)) for left, right, p in
            zip(pairs["unique_id_l"].tolist(), pairs["unique_id_r"].tolist(), pairs["match_probability"].tolist())}


def test_a_record_whose_link_stays_keeps_its_row_as_it_was(fresh_store, registry_project, small_country):
    for source in FIRST:
        land(registry_project, fresh_store, source, small_country.sources[source])
    run_incremental(registry_project, fresh_store)
    before = _links(fresh_store)
    land(registry_project, fresh_store, "post", small_country.sources["post"])
    receipt = run_incremental(registry_project, fresh_store)
    after = _links(fresh_store)

    touched = {after[key][0] for key in after if key[0] == "post"}
    stayed = [key for key, link in before.items() if link[0] in touched and after[key][:2] == link[:2]]
    moved = [key for key, link in before.items() if after[key][:2] != link[:2]]
    # People that gained a post record had records before it; those whose link did not change were not rewritten.
    assert receipt.people_updated and len(stayed) > len(touched) / 2
    assert all(after[key][2] == before[key][2] for key in stayed)
    assert all(after[key][2] > before[key][2] for key in moved)
    assert len(after) == len(before) + len(small_country.sources["post"])


def _links(store) -> dict[tuple[str, str], tuple]:
    """(source, record_id) -> (person_id, match_probability, linked_at) of every xref row."""
    with store.begin() as connection:
        rows = connection.execute(select(person_xref.c.source, person_xref.c.record_id, person_xref.c.person_id,
                                         person_xref.c.match_probability, person_xref.c.linked_at)).all()
    return {(source, record): (person, probability, linked) for source, record, person, probability, linked in rows}


def test_a_new_record_without_an_id_is_refused_not_left_out(fresh_store, registry_project, small_country, reconcile_dir):
    # The social agency's records keyed by the national id, which newcomers lack.
    folder = reconcile_dir()
    sources = folder / "sources.yaml"
    sources.write_text(sources.read_text().replace("record_id: insured_id", "record_id: national_id"))
    social = small_country.sources["social"]
    assert social["national_id"].isna().any()
    land(registry_project, fresh_store, "population", small_country.sources["population"])
    run_incremental(registry_project, fresh_store, reconcile_dir=folder)
    land(registry_project, fresh_store, "social", social)
    with pytest.raises(ViolationError, match=r"source social: record ids must be present .* [1-9]\d* missing"):
        run_incremental(registry_project, fresh_store, reconcile_dir=folder)
