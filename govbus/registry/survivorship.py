"""Survivorship: which of the agencies' values becomes the golden record's value.

An agency that ``govbus.yaml`` names authoritative for an attribute's domain wins (the Population
Register for identity and address); among equals the most recently observed value wins. Two
different values from authoritative agencies are a conflict a steward must see.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

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
    sort of the records, then per attribute each person's last trusted value, else their last value,
    found with array operations (a pandas filter per attribute costs more than the whole decision).
    """
    # SQLite hands back naive times; both stores hold UTC. A record without a time is the oldest.
    at = pd.to_datetime(records["observed_at"], utc=True)
    frame = records.assign(_at=at.fillna(_EPOCH), observed_at=_iso(at))
    # Oldest to newest, ties to the greatest source and record: the later of a person's rows wins.
    ordered = frame.sort_values(["person_id", "_at", "source", "record_id"])
    person_code, people = pd.factorize(ordered["person_id"])
    people = people.tolist()
    source_code, sources = pd.factorize(ordered["source"])
    source, record_id, observed_at = (ordered[c].tolist() for c in ("source", "record_id", "observed_at"))
    result: dict[str, tuple[dict, dict]] = {pid: ({}, {}) for pid in people}
    for attribute, domain in DOMAINS.items():
        if attribute not in ordered.columns:
            continue
        values = ordered[attribute].to_numpy(dtype=object, na_value=None)
        listed = values.tolist()
        held = ordered[attribute].notna().to_numpy()
        trusted = held & np.isin(source_code, [i for i, s in enumerate(sources) if s in authority.get(domain, set())])
        first = _last(person_code, trusted, len(people))
        winner = np.where(first >= 0, first, _last(person_code, held & ~trusted, len(people)))
        for person, row in zip(np.flatnonzero(winner >= 0).tolist(), winner[winner >= 0].tolist()):
            result[people[person]][0][attribute] = {"value": listed[row], "source": source[row],
                                                    "record_id": record_id[row], "observed_at": observed_at[row]}
        authoritative = pd.DataFrame({"person": person_code[trusted], "value": values[trusted]}).drop_duplicates()
        disputed = authoritative[authoritative.duplicated("person", keep=False)]
        for person, value in zip(*(disputed.sort_values(["person", "value"])[c].tolist() for c in ("person", "value"))):
            result[people[person]][1].setdefault(attribute, []).append(value)
    return result


def _last(person_code: np.ndarray, chosen: np.ndarray, people: int) -> np.ndarray:
    """Per person, the position of their last ``chosen`` row; -1 for none."""
    last = np.full(people, -1)
    np.maximum.at(last, person_code[chosen], np.flatnonzero(chosen))
    return last


def _iso(times: pd.Series) -> list[str | None]:
    """Each time as ISO 8601 text, None for none; converted once per distinct time (a run's records share few)."""
    codes, distinct = pd.factorize(times)
    text = [*(t.isoformat() for t in distinct), None]
    return [text[code] for code in codes.tolist()]
