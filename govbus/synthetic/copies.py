"""An agency's copy of a person: the true attributes with that agency's kind of drift."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from govbus.synthetic.names import NICKNAMES, TRANSLITERATIONS, spelling_variants
from govbus.synthetic.noise import NoiseRates, blank, misspell, mistype_digits, pick, swap_day_and_month


@dataclass(frozen=True)
class CopyHabits:
    """How carefully an agency copies: which kinds of drift its records show."""

    nicknames: bool = False
    typos: bool = True
    stale_names: bool = True
    stale_addresses: bool = True
    swapped_dates: bool = True


def copied_names(
    rng: np.random.Generator, people: pd.DataFrame, noise: NoiseRates, habits: CopyHabits
) -> tuple[np.ndarray, np.ndarray]:
    """Given and family names as the agency holds them."""
    count = len(people)
    given = people["given_name"].to_numpy(dtype=object)
    family = people["family_name"].to_numpy(dtype=object)
    if habits.nicknames:
        chosen = pick(rng, count, noise.nickname)
        given = given.copy()
        given[chosen] = spelling_variants(given[chosen], NICKNAMES, rng.random(int(chosen.sum())))
    if habits.stale_names:
        stale = people["name_changed"].to_numpy() & pick(rng, count, noise.stale_family_name)
        family = np.where(stale, people["birth_family_name"].to_numpy(dtype=object), family)
    if habits.typos:
        given = misspell(rng, given, noise.name_typo)
        family = misspell(rng, family, noise.name_typo)
    return given, family


def transliterated(rng: np.random.Generator, names: np.ndarray, rate: float) -> np.ndarray:
    """Names as a passport spells them: another transliteration for a share of them."""
    chosen = pick(rng, len(names), rate)
    out = names.copy()
    out[chosen] = spelling_variants(names[chosen], TRANSLITERATIONS, rng.random(int(chosen.sum())))
    return out


def copied_address(
    rng: np.random.Generator, people: pd.DataFrame, noise: NoiseRates, habits: CopyHabits
) -> dict[str, np.ndarray]:
    """Street, postcode and city: the old address where the agency missed a move."""
    columns = ("street", "postcode", "city")
    if not habits.stale_addresses:
        return {c: people[c].to_numpy(dtype=object) for c in columns}
    stale = people["moved"].to_numpy() & pick(rng, len(people), noise.stale_address)
    return {c: np.where(stale, people[f"old_{c}"].to_numpy(dtype=object), people[c].to_numpy(dtype=object)) for c in columns}


def copied_date_of_birth(
    rng: np.random.Generator, people: pd.DataFrame, noise: NoiseRates, habits: CopyHabits, factor: float = 1.0
) -> np.ndarray:
    dates = people["date_of_birth"].to_numpy(dtype=object)
    if not habits.swapped_dates:
        return dates
    swapped = swap_day_and_month(rng, dates, min(1.0, noise.day_month_swap * factor))
    return mistype_digits(rng, swapped, noise.date_typo) if habits.typos else swapped


def copied_national_id(rng: np.random.Generator, people: pd.DataFrame, noise: NoiseRates) -> np.ndarray:
    """The national id as a secondary holder copies it: sometimes missing, sometimes mistyped."""
    ids = people["national_id"].to_numpy(dtype=object)
    ids = blank(rng, ids, noise.missing_national_id)
    return mistype_digits(rng, ids, noise.national_id_typo)


def full_names(given: np.ndarray, family: np.ndarray) -> np.ndarray:
    return (pd.Series(given, dtype=object) + " " + pd.Series(family, dtype=object)).to_numpy(dtype=object)


def bank_accounts(rng: np.random.Generator, count: int) -> np.ndarray:
    """Valid IBANs of the country ("SE" and 22 digits): the mod-97 check is computed for real."""
    bban = pd.Series(rng.integers(100, 1000, size=count)).astype(str) + pd.Series(
        rng.integers(0, 10**17, size=count, dtype=np.int64)
    ).astype(str).str.zfill(17)
    # IBAN check: move "SE00" to the end, letters as numbers (S=28, E=14), 98 minus the remainder.
    check = [98 - int(b + "281400") % 97 for b in bban]
    return ("SE" + pd.Series(check).astype(str).str.zfill(2) + bban).to_numpy(dtype=object)
