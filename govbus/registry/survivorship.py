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

# One row per value an agency record holds for a person: the provenance, and survivorship's input.
OBSERVATION_COLUMNS = ["person_id", "attribute", "value", "source", "record_id", "observed_at"]

_EPOCH = pd.Timestamp(0, tz="UTC")


def authorities(agencies: Mapping[str, object]) -> dict[str, set[str]]:
    """Domain -> agencies authoritative for it, from the project's agencies."""
    found: dict[str, set[str]] = {}
    for code, agency in agencies.items():
        for domain in getattr(agency, "authoritative_for", []):
            found.setdefault(domain, set()).add(code)
    return found


def golden_records(
    observations: pd.DataFrame, authority: Mapping[str, set[str]]
) -> dict[str, tuple[dict[str, dict[str, str]], dict[str, list[str]]]]:
    """Each person's winning value (with its source and record) per attribute, and conflicting attributes.

    ``observations`` has the ``OBSERVATION_COLUMNS``. Decided for all people at once: a sort and a
    last-per-group, not a loop over people.
    """
    frame = observations[OBSERVATION_COLUMNS].copy()
    trusted = {f"{attribute} {source}" for attribute, domain in DOMAINS.items() for source in authority.get(domain, set())}
    frame["trusted"] = among(frame["attribute"] + " " + frame["source"], trusted)
    # SQLite hands back naive times; both stores hold UTC. A record without a time is the oldest.
    frame["observed_at"] = pd.to_datetime(frame["observed_at"], utc=True).fillna(_EPOCH)
    # Authoritative values first, then the most recent, ties to the greatest source and record.
    ordered = frame.sort_values(["person_id", "attribute", "trusted", "observed_at", "source", "record_id"])
    winners = ordered.drop_duplicates(["person_id", "attribute"], keep="last")
    result: dict[str, tuple[dict, dict]] = {}
    for pid, attribute, value, source, record_id in zip(*(winners[c].tolist() for c in ("person_id", "attribute", "value", "source", "record_id"))):
        result.setdefault(pid, ({}, {}))[0][attribute] = {"value": value, "source": source, "record_id": record_id}
    authoritative = frame[frame["trusted"]].drop_duplicates(["person_id", "attribute", "value"])
    disputed = authoritative[authoritative.duplicated(["person_id", "attribute"], keep=False)]
    for (pid, attribute), values in disputed.groupby(["person_id", "attribute"])["value"]:
        result[pid][1][attribute] = sorted(values)
    return result
