"""Normalisers make agencies' values comparable; transforms reshape one agency's columns."""

from __future__ import annotations

import pandas as pd
import pytest

from govbus.errors import ConfigurationError
from govbus.reconcile.transforms import (
    NORMALISERS,
    TRANSFORMS,
    family_name_of_full_name,
    given_names_of_full_name,
    lookup,
    parse_date,
)


def _normalised(kind: str, values: list) -> list:
    return NORMALISERS[kind](pd.Series(values, dtype="object")).tolist()


def test_names_fold_to_lower_case_ascii_so_old_systems_compare_fairly() -> None:
    assert _normalised("name", ["Carl-Åke  ÖBERG", "carl ake oberg", "", None])[:2] == ["carl ake oberg"] * 2
    assert all(pd.isna(v) for v in _normalised("name", ["", None]))


@pytest.mark.parametrize(
    "spellings",
    [["Mohammed", "Muhammad", "Mohamed"], ["Jusuf", "Yusuf", "Youssef"], ["Khaled", "Chaled", "Khalid"],
     ["Smirnov", "Smirnow", "Smirnoff"], ["Jekaterina", "Ekaterina", "Yekaterina"]],
)
def test_transliterations_of_one_name_share_a_name_key(spellings: list[str]) -> None:
    assert len(set(_normalised("name_key", spellings))) == 1


def test_different_names_keep_different_keys() -> None:
    assert len(set(_normalised("name_key", ["Anna", "Maria", "Erik", "Ahmed"]))) == 4


def test_ids_keep_digits_and_passports_letters_and_digits() -> None:
    assert _normalised("digits", ["19800131-0014", "19800131 0014"]) == ["198001310014"] * 2
    assert _normalised("alphanumeric", ["ab-123 456"]) == ["AB123456"]


def test_dates_that_are_not_real_dates_become_missing() -> None:
    assert _normalised("date", ["1984-03-07", "1984-13-07", "07/03/1984"])[0] == "1984-03-07"
    assert all(pd.isna(v) for v in _normalised("date", ["1984-13-07", "07/03/1984"]))


def test_full_names_split_in_either_order() -> None:
    given_first = pd.Series(["ANNA MARIA NORDSTRÖM", "Madonna"])
    assert given_names_of_full_name(given_first).tolist()[0] == "ANNA MARIA"
    assert pd.isna(given_names_of_full_name(given_first)[1])
    assert family_name_of_full_name(given_first).tolist() == ["NORDSTRÖM", "Madonna"]
    family_first = pd.Series(["Nordström, Anna Maria"])
    assert given_names_of_full_name(family_first, order="family_first").tolist() == ["Anna Maria"]
    assert family_name_of_full_name(family_first, order="family_first").tolist() == ["Nordström"]


@pytest.mark.parametrize(
    ("name", "function", "options"),
    [
        ("given_names_of_full_name", given_names_of_full_name, {"order": "given_first"}),
        ("family_name_of_full_name", family_name_of_full_name, {"order": "family_first"}),
        ("parse_date", parse_date, {"format": "%d/%m/%Y"}),
    ],
)
def test_a_transform_by_distinct_value_gives_what_it_gives_row_by_row(name, function, options) -> None:
    values = pd.Series(["Berg, Anna", None, "07/03/1984", "Anna Berg", "Berg, Anna", "", "07/03/1984", "Solo", None], dtype="object")
    by_distinct = TRANSFORMS[name](values, **options)
    assert by_distinct.tolist() == function(values, **options).astype("string").tolist()
    assert by_distinct.index.equals(values.index)


def test_an_unknown_transform_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigurationError, match="parse_date"):
        lookup("transform", TRANSFORMS, "split_name")
