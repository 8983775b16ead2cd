"""The declared model: thresholds that keep merging safe, and Splink names checked at load."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from govbus.errors import ConfigurationError
from govbus.reconcile.comparisons import comparison
from govbus.reconcile.model import TrainedModel
from govbus.reconcile.model_config import Thresholds, load_model_config


def test_the_demo_model_declares_safe_thresholds_and_its_columns(model_config, mappings) -> None:
    assert model_config.thresholds.auto_merge >= 0.999 > model_config.thresholds.review
    assert set(model_config.columns) <= set(mappings.standard_columns)
    assert {"national_id", "given_name", "date_of_birth", "given_name_key"} <= set(model_config.columns)
    assert model_config.model_file.name == "person-v1.json"


def test_pairs_are_merged_reviewed_or_kept_apart_by_probability() -> None:
    thresholds = Thresholds(auto_merge=0.999, review=0.9)
    assert [thresholds.decide(p) for p in (0.9995, 0.999, 0.95, 0.5)] == ["merge", "merge", "review", "separate"]
    with pytest.raises(ConfigurationError):
        Thresholds(auto_merge=0.9, review=0.95)


def test_an_unknown_splink_comparison_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigurationError, match="JaroWinklerAtThresholds"):
        comparison({"comparison": "FuzzyMatch", "col_name": "given_name"})


def test_a_missing_key_names_the_file(tmp_path: Path, model_config) -> None:
    document = yaml.safe_load(model_config.path.read_text())
    del document["thresholds"]
    broken = tmp_path / "person_model.yaml"
    broken.write_text(yaml.safe_dump(document))
    with pytest.raises(ConfigurationError, match="thresholds"):
        load_model_config(broken)


def test_a_trained_file_that_no_longer_fits_the_config_asks_for_retraining(model_config, shipped_model) -> None:
    fewer = replace(model_config, comparisons=model_config.comparisons[:-1])
    with pytest.raises(ConfigurationError, match="retrain"):
        TrainedModel(fewer, shipped_model.parameters).settings()
