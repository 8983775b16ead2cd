"""Bad input the scenario injects on purpose, each with the fate the bus must give it.

The generator's own noise is what reconciliation has to cope with (nicknames, transliteration,
swapped days and months, stale copies); it never breaks a contract. Malformed values are added
here instead, a known number of each, so the summary can be checked record for record: every
quarantined or dead-lettered event is one of these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ACCEPTED = "accepted"
QUARANTINED = "quarantined"
DEAD_LETTERED = "dead_lettered"
FATES = (ACCEPTED, QUARANTINED, DEAD_LETTERED)

# The share of a stream's records that get each fault, and the least number per fault.
FAULT_SHARE = 0.02
LEAST = 2


@dataclass(frozen=True)
class Fault:
    """One kind of bad input: which source's records, what goes wrong, and where they must end up."""

    source: str
    field: str
    fate: str
    why: str
    spoil: Callable[[object], object]


def _month_thirteen(value: object) -> object:
    return f"{str(value)[:4]}-13-{str(value)[8:10]}"


FAULTS = (
    Fault("post", "postcode", QUARANTINED, "AGR-2026-031 clause 3.3: a four-digit postcode", lambda v: str(v)[:4]),
    Fault("social", "date_of_birth", QUARANTINED, "a date of birth in month 13", _month_thirteen),
    Fault("population", "national_id", DEAD_LETTERED, "no national id, the topic's key", lambda v: None),
    Fault("post", "full_name", DEAD_LETTERED, "a notice without the customer's name", lambda v: None),
)


def inject_faults(rng: np.random.Generator, source: str, records: list[dict]) -> list[str]:
    """Spoil a share of ``records`` in place with each of the source's faults; returns each record's fate.

    A record gets at most one fault, so its fate is unambiguous.
    """
    fates = [ACCEPTED] * len(records)
    own = [fault for fault in FAULTS if fault.source == source]
    count = max(LEAST, round(FAULT_SHARE * len(records)))
    chosen = rng.permutation(len(records))[: count * len(own)]
    for number, fault in enumerate(own):
        for index in chosen[number * count : (number + 1) * count]:
            records[index][fault.field] = fault.spoil(records[index][fault.field])
            fates[index] = fault.fate
    return fates
