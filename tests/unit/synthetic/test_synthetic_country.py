"""The synthetic country: seeded, truthful, and with the shared customers linkage is about."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from govbus.codec import check_record
from govbus.project import load_project
from govbus.synthetic import country as country_module
from govbus.synthetic.agencies import RECORD_ID, SOURCES
from govbus.synthetic.country import generate_country
from govbus.synthetic.events import SUBJECTS, event_records
from govbus.synthetic.identity import is_valid_national_id
from govbus.synthetic.legacy import LEGACY_TABLES, legacy_tables
from govbus.synthetic.noise import NoiseRates

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def country():
    return generate_country(2000, seed=11)


def test_the_same_seed_gives_the_same_country_and_another_seed_another(country) -> None:
    again = generate_country(2000, seed=11)
    other = generate_country(2000, seed=12)
    for source in SOURCES:
        pd.testing.assert_frame_equal(country.sources[source], again.sources[source])
    assert not country.sources["population"]["national_id"].equals(other.sources["population"]["national_id"])


def test_people_drawn_in_chunks_do_not_depend_on_how_many_follow(monkeypatch) -> None:
    monkeypatch.setattr(country_module, "CHUNK_PEOPLE", 300)
    small = generate_country(300, seed=5)
    large = generate_country(900, seed=5)
    pd.testing.assert_frame_equal(small.people, large.people.iloc[:300])
    assert large.people["national_id"].dropna().is_unique


def test_the_truth_is_kept_apart_and_covers_every_record(country) -> None:
    for source in SOURCES:
        records, truth = country.sources[source], country.truth[source]
        assert "person_id" not in records.columns
        assert records[RECORD_ID[source]].is_unique
        assert list(truth["record_id"]) == list(records[RECORD_ID[source]])
        assert truth["person_id"].isin(country.people["person_id"]).all()


def test_shared_customers_appear_at_several_agencies(country) -> None:
    holders = country.truth_frame().groupby("person_id")["source"].nunique()
    residents = country.truth["population"]["person_id"]
    assert residents.is_unique
    assert (holders.reindex(residents) >= 2).mean() > 0.7


def test_only_secondary_holders_carry_mistyped_or_missing_national_ids(country) -> None:
    assert is_valid_national_id(country.sources["population"]["national_id"]).all()
    assert is_valid_national_id(country.sources["tax"]["tax_id"]).all()
    social_ids = country.sources["social"]["national_id"]
    invalid = social_ids.notna() & ~is_valid_national_id(social_ids)
    assert social_ids.isna().any() and invalid.any()


def test_newcomers_without_registration_have_only_a_passport(country) -> None:
    people = country.people
    unregistered = people[people["newcomer"] & ~people["registered"]]
    assert len(unregistered) > 0 and unregistered["national_id"].isna().all()
    assert not unregistered["person_id"].isin(country.truth["population"]["person_id"]).any()
    applicants = country.truth["migration"]["person_id"]
    assert set(people.loc[people["newcomer"], "person_id"]) == set(applicants)
    assert country.sources["migration"]["passport_number"].notna().all()


def test_noise_rates_are_configurable_and_show_in_the_copies() -> None:
    noisy = generate_country(3000, seed=2, noise=NoiseRates(missing_national_id=0.5, day_month_swap=1.0, date_typo=0.0))
    missing = noisy.sources["municipality"]["national_id"].isna().mean()
    assert 0.4 < missing < 0.6
    tax = noisy.sources["tax"].merge(noisy.truth["tax"], left_on="tax_id", right_on="record_id")
    true_dates = tax["person_id"].map(noisy.people.set_index("person_id")["date_of_birth"])
    day, month = true_dates.str.slice(8, 10), true_dates.str.slice(5, 7)
    swappable = (day.astype(int) <= 12) & (day != month)
    expected = true_dates.str.slice(0, 5) + day + "-" + month
    assert (tax["date_of_birth"][swappable] == expected[swappable]).all()
    assert (tax["date_of_birth"][~swappable] == true_dates[~swappable]).all()


def test_clean_noise_gives_exact_copies() -> None:
    quiet = NoiseRates(**{name: 0.0 for name in NoiseRates().to_dict()})
    clean = generate_country(500, seed=3, noise=quiet)
    social = clean.sources["social"].assign(person_id=clean.truth["social"]["person_id"])
    truth = social["person_id"].map(clean.people.set_index("person_id")["given_name"])
    assert (social["given_name"] == truth).all()
    assert social["national_id"].notna().all()


def test_every_event_matches_its_avro_schema(country) -> None:
    registry = load_project(REPO_ROOT).registry
    for source, subject in SUBJECTS.items():
        schema = registry.get(subject)
        events = list(event_records(source, country.sources[source]))
        assert len(events) == len(country.sources[source])
        for event in events:
            check_record(event, schema)


def test_legacy_databases_hold_each_agencys_own_copy(country) -> None:
    tables = legacy_tables(country.sources)
    assert set(tables) == set(LEGACY_TABLES)
    for name, (source, columns) in LEGACY_TABLES.items():
        assert list(tables[name].columns) == columns
        assert len(tables[name]) == len(country.sources[source])
