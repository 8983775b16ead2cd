"""A small synthetic country, standardised, shared by the reconcile tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from govbus.reconcile.mapping import SourceMappings, load_mappings, standardise
from govbus.reconcile.model import TrainedModel
from govbus.reconcile.model_config import PersonModelConfig, load_model_config
from govbus.synthetic.country import SyntheticCountry, generate_country

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def mappings() -> SourceMappings:
    return load_mappings(REPO_ROOT / "reconcile" / "sources.yaml")


@pytest.fixture(scope="session")
def model_config() -> PersonModelConfig:
    return load_model_config(REPO_ROOT / "reconcile" / "person_model.yaml")


@pytest.fixture(scope="session")
def shipped_model(model_config: PersonModelConfig) -> TrainedModel:
    """The model trained and committed under reconcile/models/."""
    return TrainedModel.load(model_config)


@pytest.fixture(scope="session")
def small_country() -> SyntheticCountry:
    return generate_country(1500, seed=21)


@pytest.fixture(scope="session")
def records(small_country: SyntheticCountry, mappings: SourceMappings) -> pd.DataFrame:
    return standardise(small_country.sources, mappings)


@pytest.fixture(scope="session")
def truth(small_country: SyntheticCountry) -> pd.DataFrame:
    known = small_country.truth_frame()
    return known.assign(unique_id=known["source"] + ":" + known["record_id"])
