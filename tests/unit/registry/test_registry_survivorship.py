"""Survivorship: authority first, then the most recent value; authoritative disagreements are flagged."""

from __future__ import annotations

from datetime import datetime, timezone

from govbus.registry.survivorship import Observation, authorities, golden_record
from govbus.project import Agency

AUTHORITY = authorities({"population": Agency(name="Population Register", authoritative_for=["identity", "address"]),
                         "tax": Agency(name="Tax Agency")})


def _at(day: int) -> datetime:
    return datetime(2026, 1, day, tzinfo=timezone.utc)


def test_the_authoritative_agency_wins_over_a_newer_value():
    golden, conflicts = golden_record(
        [Observation("postcode", "11122", "population", "1", _at(1)), Observation("postcode", "99999", "tax", "t1", _at(20))],
        AUTHORITY,
    )
    assert golden["postcode"] == {"value": "11122", "source": "population", "record_id": "1"} and not conflicts


def test_without_authority_the_most_recent_value_wins():
    golden, _ = golden_record(
        [Observation("street", "old road 1", "tax", "t1", _at(1)), Observation("street", "new road 2", "social", "s1", _at(5))],
        {},
    )
    assert golden["street"]["value"] == "new road 2"


def test_two_authoritative_dates_of_birth_are_a_conflict():
    _, conflicts = golden_record(
        [Observation("date_of_birth", "1984-03-07", "population", "1", _at(1)),
         Observation("date_of_birth", "1984-07-03", "population", "2", _at(2)),
         Observation("given_name", "anna", "population", "1", _at(1))],
        AUTHORITY,
    )
    assert conflicts == {"date_of_birth": ["1984-03-07", "1984-07-03"]}
