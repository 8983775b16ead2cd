"""Survivorship: which of the agencies' values becomes the golden record's value.

An agency that ``govbus.yaml`` names authoritative for an attribute's domain wins (the Population
Register for identity and address); among equals the most recently observed value wins. Two
different values from authoritative agencies are a conflict a steward must see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

# Golden attribute -> the domain agencies declare authority for (``authoritative_for``).
DOMAINS: dict[str, str] = {
    "national_id": "identity",
    "passport_number": "identity",
    "given_name": "identity",
    "family_name": "identity",
    "date_of_birth": "identity",
    "street": "address",
    "postcode": "address",
}

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Observation:
    """One agency record's value for one attribute of a person."""

    attribute: str
    value: str
    source: str
    record_id: str
    observed_at: datetime | None


def authorities(agencies: Mapping[str, object]) -> dict[str, set[str]]:
    """Domain -> agencies authoritative for it, from the project's agencies."""
    found: dict[str, set[str]] = {}
    for code, agency in agencies.items():
        for domain in getattr(agency, "authoritative_for", []):
            found.setdefault(domain, set()).add(code)
    return found


def golden_record(
    observations: list[Observation], authority: Mapping[str, set[str]]
) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """The winning value (with its source and record) per attribute, and conflicting attributes."""
    golden: dict[str, dict[str, str]] = {}
    conflicts: dict[str, list[str]] = {}
    for attribute in sorted({o.attribute for o in observations}):
        trusted = authority.get(DOMAINS.get(attribute, ""), set())
        candidates = [o for o in observations if o.attribute == attribute]
        authoritative = [o for o in candidates if o.source in trusted]
        pool = authoritative or candidates
        winner = max(pool, key=lambda o: (_aware(o.observed_at), o.source, o.record_id))
        golden[attribute] = {"value": winner.value, "source": winner.source, "record_id": winner.record_id}
        values = sorted({o.value for o in authoritative})
        if len(values) > 1:
            conflicts[attribute] = values
    return golden, conflicts


def _aware(moment: datetime | None) -> datetime:
    # SQLite hands back naive datetimes; both stores hold UTC.
    if moment is None:
        return _EPOCH
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
