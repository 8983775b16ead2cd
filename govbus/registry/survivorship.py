"""Survivorship: which of the agencies' values becomes the golden record's value.

An agency that ``govbus.yaml`` names authoritative for an attribute's domain wins (the Population
Register for identity and address); among equals the most recently observed value wins. Two
different values from authoritative agencies are a conflict a steward must see.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from govbus.reconcile.linkage import among

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

_EPOCH = pd.Timestamp(0, tz="UTC")


def authorities(agencies: Mapping[str, object]) -> dict[str, set[str]]:
    """Domain -> agencies authoritative for it, from the project's agencies."""
    found: dict[str, set[str]] = {}
    for code, agency in agencies.items():
        for domain in getattr(agency, "authoritative_for", []):
            found.setdefault(domain, set()).add(code)
    return found


def golden_records(
    records: pd.DataFrame, authority: Mapping[str, set[str]]
) -> dict[str, tuple[dict[str, dict[str, str | None]], dict[str, list[str]]]]:
    """Each person's winning value (with its source, record and time) per attribute, and conflicting attributes.

    ``records`` holds one row per agency record: ``person_id``, ``source``, ``record_id``,
    ``observed_at`` and a column per attribute of ``DOMAINS``. Decided for all people at once: one
    sort of the records by time, then per attribute the last trusted value, else the last value.
    """
    # SQLite hands back naive times; both stores hold UTC. A record without a time is the oldest.
    at = pd.to_datetime(records["observed_at"], utc=True)
    frame = records.assign(_at=at.fillna(_EPOCH), observed_at=_iso(at))
    # Oldest to newest, ties to the greatest source and record: the last of a person's rows wins.
    ordered = frame.sort_values(["person_id", "_at", "source", "record_id"])
    result: dict[str, tuple[dict, dict]] = {}
    for attribute, domain in DOMAINS.items():
        if attribute not in ordered.columns:
            continue
        held = ordered[ordered[attribute].notna()]
        trusted = among(held["source"], authority.get(domain, set()))
        first = held[trusted].drop_duplicates("person_id", keep="last")
        rest = held[~trusted]
        rest = rest[~among(rest["person_id"], set(first["person_id"].tolist()))].drop_duplicates("person_id", keep="last")
        for winners in (first, rest):
            for pid, value, source, record_id, observed_at in zip(
                    *(winners[c].tolist() for c in ("person_id", attribute, "source", "record_id", "observed_at"))):
                result.setdefault(pid, ({}, {}))[0][attribute] = {
                    "value": value, "source": source, "record_id": record_id, "observed_at": observed_at}
        authoritative = held[trusted].drop_duplicates(["person_id", attribute])
        disputed = authoritative[authoritative.duplicated("person_id", keep=False)]
        for pid, values in disputed.groupby("person_id")[attribute]:
            result[pid][1][attribute] = sorted(values)
    return result


def _iso(times: pd.Series) -> list[str | None]:
    """Each time as ISO 8601 text, None for none; converted once per distinct time (a run's records share few)."""
    codes, distinct = pd.factorize(times)
    text = [*(t.isoformat() for t in distinct), None]
    return [text[code] for code in codes.tolist()]
