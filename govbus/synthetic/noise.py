"""How agency copies drift from the truth: the rates, and the vectorised edits that apply them.

Each edit takes the random generator first and touches only the rows it picks, so one draw per
row keeps the output the same for the same seed however the rows are later used.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class NoiseRates:
    """Rates of each kind of noise, as shares between 0 and 1.

    Attributes:
        name_typo: a copied name has one wrong, missing, extra or swapped letter.
        national_id_typo: a copied national id has one wrong digit (only agencies that do not
            key on the id hold such copies).
        missing_national_id: a social insurance or municipality record lacks the national id.
        nickname: a name given to an agency that does not check papers is a nickname.
        transliteration: a passport spells a newcomer's name differently from the register.
        day_month_swap: a copied date of birth has its day and month swapped (when both fit).
        date_typo: a copied date of birth has one wrong digit (it may not be a real date any more).
        moved: a person moved recently.
        stale_address: an agency still holds the old address of someone who moved.
        married_name_change: a married woman took her spouse's family name (men: a fifth of this).
        stale_family_name: an agency still holds the family name from before the marriage.
        newcomer: a person arrived recently from abroad.
        unregistered_newcomer: a newcomer is not yet in the population register.
    """

    name_typo: float = 0.02
    national_id_typo: float = 0.01
    missing_national_id: float = 0.08
    nickname: float = 0.10
    transliteration: float = 0.6
    day_month_swap: float = 0.01
    date_typo: float = 0.003
    moved: float = 0.12
    stale_address: float = 0.4
    married_name_change: float = 0.6
    stale_family_name: float = 0.3
    newcomer: float = 0.05
    unregistered_newcomer: float = 0.3

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"noise rate {field.name}={value} is not between 0 and 1")

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def pick(rng: np.random.Generator, count: int, rate: float) -> np.ndarray:
    """A boolean mask choosing each of ``count`` rows with probability ``rate``."""
    return rng.random(count) < rate


def misspell(rng: np.random.Generator, texts: np.ndarray, rate: float) -> np.ndarray:
    """One edit (substitute, delete, insert or swap a letter) in a share of the texts."""
    chosen = pick(rng, len(texts), rate)
    ops = rng.integers(0, 4, size=len(texts))
    places = rng.random(len(texts))
    letters = rng.integers(0, 26, size=len(texts)) + ord("a")
    out = texts.copy()
    for i in np.flatnonzero(chosen):
        out[i] = _edit(out[i], int(ops[i]), float(places[i]), chr(letters[i]))
    return out


def _edit(text: str, op: int, place: float, letter: str) -> str:
    if len(text) < 3:
        return text + letter
    at = 1 + int(place * (len(text) - 2))  # never the first letter: people rarely get it wrong
    if op == 3 and at + 1 < len(text) and text[at] != text[at + 1]:
        return text[:at] + text[at + 1] + text[at] + text[at + 2 :]
    if op == 1:
        return text[:at] + text[at + 1 :]
    if op == 2:
        return text[:at] + letter + text[at:]
    if letter == text[at].lower():  # a substitution must change the letter
        letter = chr((ord(letter) - ord("a") + 1) % 26 + ord("a"))
    return text[:at] + letter + text[at + 1 :]


def mistype_digits(rng: np.random.Generator, ids: np.ndarray, rate: float) -> np.ndarray:
    """One digit replaced by a different digit in a share of the ids (missing ids stay missing)."""
    chosen = pick(rng, len(ids), rate)
    places = rng.random(len(ids))
    shifts = rng.integers(1, 10, size=len(ids))
    out = ids.copy()
    for i in np.flatnonzero(chosen):
        text = out[i]
        if not isinstance(text, str):
            continue
        digit_at = [k for k, ch in enumerate(text) if ch.isdigit()]
        k = digit_at[int(places[i] * len(digit_at))]
        out[i] = text[:k] + str((int(text[k]) + int(shifts[i])) % 10) + text[k + 1 :]
    return out


def swap_day_and_month(rng: np.random.Generator, dates: np.ndarray, rate: float) -> np.ndarray:
    """``YYYY-MM-DD`` -> ``YYYY-DD-MM`` in a share of the dates where the day could be a month."""
    series = pd.Series(dates, dtype=object)
    day = series.str.slice(8, 10)
    month = series.str.slice(5, 7)
    chosen = pick(rng, len(dates), rate) & (day.astype(int) <= 12) & (day != month)
    swapped = series.str.slice(0, 5) + day + "-" + month
    return series.where(~chosen, swapped).to_numpy(dtype=object)


def blank(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    """A share of the values replaced by ``None``."""
    return np.where(pick(rng, len(values), rate), None, values)
