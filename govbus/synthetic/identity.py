"""Identifiers in the fictional country: national ids, passport numbers and agency record numbers.

A national id reads ``YYYYMMDD-NNNC``: the date of birth, a serial whose last digit is odd for men,
and a Luhn check digit over ``YYMMDDNNN``. The check digit catches every single-digit typo, which
is why agencies that key on the id (the register, the tax agency) never hold a mistyped one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_EPOCH = np.datetime64("1900-01-01")
_DAYS = 200 * 366
_SERIALS_PER_DAY_AND_SEX = 500


def luhn_check_digits(digits: np.ndarray) -> np.ndarray:
    """Luhn check digit for each row of a (rows, n) digit matrix, doubling from the left."""
    weights = np.where(np.arange(digits.shape[1]) % 2 == 0, 2, 1)
    products = digits * weights
    total = (products // 10 + products % 10).sum(axis=1)
    return (10 - total % 10) % 10


def digit_matrix(texts: pd.Series) -> np.ndarray:
    """A (rows, width) matrix of the digits in equal-length digit strings."""
    raw = texts.str.cat().encode("ascii")
    return (np.frombuffer(raw, dtype=np.uint8) - ord("0")).reshape(len(texts), -1).astype(np.int64)


def is_valid_national_id(national_ids: pd.Series) -> pd.Series:
    """True where the id has the right shape and its check digit matches."""
    digits = national_ids.fillna("").str.replace(r"\D", "", regex=True)
    shaped = digits.str.len() == 12
    valid = pd.Series(False, index=national_ids.index)
    if shaped.any():
        matrix = digit_matrix(digits[shaped].str.slice(2))
        valid[shaped] = luhn_check_digits(matrix[:, :9]) == matrix[:, 9]
    return valid


class NationalIdIssuer:
    """Issues unique national ids in order, remembering how many were born on each day."""

    def __init__(self) -> None:
        self._issued = np.zeros((_DAYS, 2), dtype=np.int64)

    def issue(self, dates_of_birth: np.ndarray, male: np.ndarray) -> np.ndarray:
        """One new id per person; ``dates_of_birth`` is datetime64[D], ``male`` is boolean."""
        day = (dates_of_birth - _EPOCH).astype(np.int64)
        sex = male.astype(np.int64)
        slot = pd.Series(day * 2 + sex)
        rank = slot.groupby(slot).cumcount().to_numpy() + self._issued[day, sex]
        np.add.at(self._issued, (day, sex), 1)
        if (rank >= _SERIALS_PER_DAY_AND_SEX).any():
            raise OverflowError("more people born on one day than the national id format allows")
        serial = pd.Series(rank * 2 + sex).astype(str).str.zfill(3)
        dates = pd.Series(np.datetime_as_string(dates_of_birth, unit="D")).str.replace("-", "", regex=False)
        body = dates.str.slice(2) + serial
        check = pd.Series(luhn_check_digits(digit_matrix(body))).astype(str)
        return (dates + "-" + serial + check).to_numpy(dtype=object)


def passport_numbers(rng: np.random.Generator, person_index: np.ndarray) -> np.ndarray:
    """Unique passport numbers: two letters and seven digits, a bijection of the person index."""
    letters = rng.integers(0, 26, size=(len(person_index), 2)) + ord("A")
    prefix = pd.Series([chr(a) + chr(b) for a, b in letters])
    # 7919 is coprime with 10**7, so distinct people below ten million get distinct digits.
    digits = pd.Series((person_index.astype(np.int64) * 7919 + 1_000_003) % 10**7).astype(str).str.zfill(7)
    return (prefix + digits).to_numpy(dtype=object)


class RecordNumbers:
    """An agency's own record numbers: a prefix and a running counter kept across chunks."""

    def __init__(self, prefix: str, width: int = 9) -> None:
        self.prefix = prefix
        self.width = width
        self.issued = 0

    def take(self, count: int) -> np.ndarray:
        numbers = pd.Series(np.arange(self.issued, self.issued + count) + 1).astype(str).str.zfill(self.width)
        self.issued += count
        return (self.prefix + numbers).to_numpy(dtype=object)
