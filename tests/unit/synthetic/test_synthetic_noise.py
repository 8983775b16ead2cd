"""Each kind of noise edits what it says and nothing else."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govbus.synthetic.identity import NationalIdIssuer, is_valid_national_id
from govbus.synthetic.names import TRANSLITERATIONS, spelling_variants
from govbus.synthetic.noise import NoiseRates, misspell, mistype_digits, swap_day_and_month


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def test_a_misspelt_name_is_one_edit_or_one_swap_away() -> None:
    names = np.array(["Katarina", "Andersson", "Lindqvist", "Bo"] * 50, dtype=object)
    out = misspell(np.random.default_rng(1), names, rate=1.0)
    for before, after in zip(names, out):
        assert before != after and after[0] == before[0]
        assert _edit_distance(before, after) <= 2  # a swap of two letters counts two plain edits


def test_a_mistyped_national_id_fails_its_check_digit() -> None:
    issuer = NationalIdIssuer()
    dates = np.array(["1980-01-31", "1980-01-31", "2001-12-01"], dtype="datetime64[D]")
    ids = issuer.issue(dates, np.array([True, True, False]))
    assert len(set(ids)) == 3 and is_valid_national_id(pd.Series(ids)).all()
    typed = mistype_digits(np.random.default_rng(2), np.append(ids, None), rate=1.0)
    assert typed[-1] is None
    assert not is_valid_national_id(pd.Series(typed[:-1])).any()
    assert all(sum(a != b for a, b in zip(x, y)) == 1 for x, y in zip(ids, typed))


def test_day_and_month_swap_only_where_both_could_be_a_month() -> None:
    dates = np.array(["1990-03-07", "1990-03-25", "1990-05-05"], dtype=object)
    out = swap_day_and_month(np.random.default_rng(3), dates, rate=1.0)
    assert list(out) == ["1990-07-03", "1990-03-25", "1990-05-05"]


def test_transliteration_picks_a_known_variant() -> None:
    names = np.array(["Mohammed", "Andersson"], dtype=object)
    out = spelling_variants(names, TRANSLITERATIONS, np.array([0.99, 0.5]))
    assert out[0] in TRANSLITERATIONS["Mohammed"] and out[1] == "Andersson"


def test_noise_rates_outside_zero_to_one_are_refused() -> None:
    with pytest.raises(ValueError, match="name_typo"):
        NoiseRates(name_typo=1.5)
