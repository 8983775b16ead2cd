"""Source mappings: every agency's columns onto the standard ones; a new agency by config alone."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from govbus.errors import ConfigurationError, ViolationError
from govbus.reconcile.mapping import load_mappings, standardise
from govbus.reconcile.transforms import NORMALISERS

NEW_AGENCY = """
standard_columns:
  national_id: digits
  given_name: name
  family_name: name
  date_of_birth: date
  family_name_key: {normaliser: name_key, of: family_name}
sources:
  housing:
    record_id: tenant_no
    columns:
      national_id: pnr
      given_name: {from: tenant, transform: given_names_of_full_name, order: family_first}
      family_name: {from: tenant, transform: family_name_of_full_name, order: family_first}
      date_of_birth: {from: born, transform: parse_date, format: "%d.%m.%Y"}
"""


def test_every_demo_source_maps_onto_the_standard_columns(records: pd.DataFrame, small_country, mappings) -> None:
    assert list(records.columns[:3]) == ["unique_id", "source", "record_id"]
    assert set(mappings.standard_columns) <= set(records.columns)
    assert records["unique_id"].is_unique
    assert set(records["source"]) == set(small_country.sources)
    tax = records[records["source"] == "tax"]
    assert tax["given_name"].notna().all() and tax["family_name"].notna().all()
    assert tax["given_name"].str.islower().all()  # the tax agency writes capitals; the standard is folded
    assert records.loc[records["source"] == "migration", "national_id"].isna().all()


def test_a_new_agency_is_onboarded_by_config_alone(tmp_path: Path) -> None:
    mapping_file = tmp_path / "sources.yaml"
    mapping_file.write_text(NEW_AGENCY, encoding="utf-8")
    tenants = pd.DataFrame(
        {
            "tenant_no": ["H-1", "H-2"],
            "pnr": ["19800131-0014", None],
            "tenant": ["Öberg, Carl-Åke", "Husain,  Fatma"],
            "born": ["31.01.1980", "45.13.1990"],
        }
    )
    frame = standardise({"housing": tenants}, load_mappings(mapping_file))
    assert frame["unique_id"].tolist() == ["housing:H-1", "housing:H-2"]
    assert frame["national_id"].tolist()[0] == "198001310014" and pd.isna(frame["national_id"][1])
    assert frame["given_name"].tolist() == ["carl ake", "fatma"]
    assert frame["family_name"].tolist() == ["oberg", "husain"]
    assert frame["date_of_birth"][0] == "1980-01-31" and pd.isna(frame["date_of_birth"][1])
    assert frame["family_name_key"][1] == NORMALISERS["name_key"](pd.Series(["Hussein"]))[0]


def test_a_mapped_column_missing_from_the_data_is_named(mappings) -> None:
    with pytest.raises(ConfigurationError, match="full_name"):
        standardise({"tax": pd.DataFrame({"tax_id": ["1"], "date_of_birth": ["2000-01-01"]})}, mappings)


def test_an_unmapped_source_is_refused_with_the_mapped_ones(mappings) -> None:
    with pytest.raises(ConfigurationError, match="mapped sources: .*population"):
        standardise({"library": pd.DataFrame({"card": ["1"]})}, mappings)


def test_repeated_or_missing_record_ids_are_a_violation(small_country, mappings) -> None:
    social = small_country.sources["social"].head(3).copy()
    social.loc[2, "insured_id"] = social.loc[1, "insured_id"]
    with pytest.raises(ViolationError, match="1 repeated"):
        standardise({"social": social}, mappings)


def test_a_mapping_onto_an_unknown_standard_column_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "sources.yaml"
    bad.write_text(NEW_AGENCY.replace("national_id: pnr", "shoe_size: pnr"), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="shoe_size"):
        load_mappings(bad)
