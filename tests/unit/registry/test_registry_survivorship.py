"""Survivorship: authority first, then the most recent value; authoritative disagreements are flagged."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd

from govbus.project import Agency
from govbus.registry.survivorship import authorities, golden_records

AUTHORITY = authorities({"population": Agency(name="Population Register", authoritative_for=["identity", "address"]),
                         "tax": Agency(name="Tax Agency")})


def _at(day: int) -> datetime:
    return datetime(2026, 1, day, tzinfo=timezone.utc)


def _observations(*rows: tuple) -> pd.DataFrame:
    """Agency records from (person, attribute, value, source, record, observed at): one row per record, a column per attribute."""
    records: dict[tuple, dict] = {}
    for pid, attribute, value, source, record_id, observed_at in rows:
        records.setdefault((pid, source, record_id), {"person_id": pid, "source": source, "record_id": record_id,
                                                      "observed_at": observed_at})[attribute] = value
    return pd.DataFrame(list(records.values()))


def test_the_authoritative_agency_wins_over_a_newer_value():
    decided = golden_records(
        _observations(("P1", "postcode", "11122", "population", "1", _at(1)), ("P1", "postcode", "99999", "tax", "t1", _at(20))),
        AUTHORITY,
    )
    golden, conflicts = decided["P1"]
    assert golden["postcode"] == {"value": "11122", "source": "population", "record_id": "1",
                                  "observed_at": "2026-01-01T00:00:00+00:00"} and not conflicts


def test_without_authority_the_most_recent_value_wins():
    decided = golden_records(
        _observations(("P1", "street", "old road 1", "tax", "t1", _at(1)), ("P1", "street", "new road 2", "social", "s1", _at(5))),
        {},
    )
    assert decided["P1"][0]["street"]["value"] == "new road 2"


def test_a_value_without_a_time_is_the_oldest():
    decided = golden_records(
        _observations(("P1", "street", "road 1", "tax", "t1", None), ("P1", "street", "road 2", "social", "s1", _at(1))), {}
    )
    assert decided["P1"][0]["street"]["value"] == "road 2"


def test_an_authoritative_record_without_a_value_leaves_the_attribute_to_the_others():
    decided = golden_records(
        _observations(("P1", "postcode", "11122", "population", "1", _at(1)),
                      ("P1", "street", "road 9", "tax", "t1", _at(2)), ("P1", "postcode", "99999", "tax", "t1", _at(2))),
        AUTHORITY,
    )
    golden = decided["P1"][0]
    assert (golden["street"]["source"], golden["postcode"]["source"]) == ("tax", "population")


def test_two_authoritative_dates_of_birth_are_a_conflict():
    decided = golden_records(
        _observations(("P1", "date_of_birth", "1984-03-07", "population", "1", _at(1)),
                      ("P1", "date_of_birth", "1984-07-03", "population", "2", _at(2)),
                      ("P1", "given_name", "anna", "population", "1", _at(1))),
        AUTHORITY,
    )
    assert decided["P1"][1] == {"date_of_birth": ["1984-03-07", "1984-07-03"]}


def test_each_person_is_decided_from_their_own_values_only():
    decided = golden_records(
        _observations(("P1", "given_name", "anna", "tax", "t1", _at(1)),
                      ("P2", "given_name", "bo", "tax", "t2", _at(9)),
                      ("P2", "date_of_birth", "1990-01-01", "population", "2", _at(1)),
                      ("P1", "date_of_birth", "1984-03-07", "population", "1", _at(1))),
        AUTHORITY,
    )
    at = _at(1).isoformat()
    assert decided["P1"] == ({"date_of_birth": {"value": "1984-03-07", "source": "population", "record_id": "1", "observed_at": at},
                              "given_name": {"value": "anna", "source": "tax", "record_id": "t1", "observed_at": at}}, {})
    assert decided["P2"][0]["given_name"]["value"] == "bo" and decided["P2"][1] == {}
