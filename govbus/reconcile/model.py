"""Training the declared person model without labels, and the trained model as a versioned file.

The saved file is Splink's own model JSON, so plain Splink can load it too. The model's version is
its name plus a hash of the parameters, so two files with the same version score pairs the same.
Comparisons and blocking rules are always rebuilt from config for the backend at hand (Splink
writes SQL per dialect), with the learned probabilities put back into each level.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from splink import Linker, SettingsCreator

from govbus.errors import ConfigurationError
from govbus.reconcile.backends import Backend, database_api
from govbus.reconcile.comparisons import blocking_rule, comparison
from govbus.reconcile.model_config import PersonModelConfig


@dataclass(frozen=True)
class TrainedModel:
    """A declared model with its learned parameters (Splink's model dict)."""

    config: PersonModelConfig
    parameters: dict[str, Any]

    @property
    def version(self) -> str:
        canonical = json.dumps(_learned(self.parameters), sort_keys=True, separators=(",", ":"))
        return f"{self.config.name}@{hashlib.sha256(canonical.encode()).hexdigest()[:12]}"

    @property
    def term_frequency_columns(self) -> list[str]:
        """Columns whose exact matches are weighted by how rare the value is."""
        levels = [lv for c in self.parameters.get("comparisons", []) for lv in c["comparison_levels"]]
        return sorted({lv["tf_adjustment_column"] for lv in levels if lv.get("tf_adjustment_column")})

    def save(self, path: Path | None = None) -> Path:
        """Write the model JSON (default: the config's ``model_file``) and return its path."""
        path = path or self.config.model_file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.parameters, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, config: PersonModelConfig, path: Path | None = None) -> TrainedModel:
        """Read a trained model (default: the config's ``model_file``) and check it fits the config."""
        path = path or config.model_file
        try:
            parameters = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"{path}: cannot read the trained model ({exc}); train one with `govbus reconcile train`") from exc
        model = cls(config, parameters)
        model.settings()  # fail now, not mid-run, if the file does not fit the declared model
        return model

    def settings(self) -> SettingsCreator:
        """Splink settings for any backend: the declared model with the learned probabilities."""
        saved = self.parameters.get("comparisons", [])
        if len(saved) != len(self.config.comparisons):
            raise ConfigurationError(
                f"model {self.config.name}: the trained file has {len(saved)} comparisons, the config "
                f"{len(self.config.comparisons)}; retrain with `govbus reconcile train`"
            )
        comparisons = []
        for spec, trained in zip(self.config.comparisons, saved):
            levels = [lv for lv in trained["comparison_levels"] if not lv.get("is_null_level")]
            built = comparison(spec)
            try:
                built.configure(
                    m_probabilities=[lv.get("m_probability") for lv in levels],
                    u_probabilities=[lv.get("u_probability") for lv in levels],
                )
            except ValueError as exc:
                raise ConfigurationError(f"model {self.config.name}: {exc}; retrain with `govbus reconcile train`") from exc
            comparisons.append(built)
        return declared_settings(self.config, comparisons, self.parameters["probability_two_random_records_match"])


def _learned(parameters: dict[str, Any]) -> dict[str, Any]:
    """The parts of a model dict that decide its scores (not its id or output options)."""
    return {
        "probability_two_random_records_match": parameters.get("probability_two_random_records_match"),
        "comparisons": parameters.get("comparisons"),
    }


def declared_settings(
    config: PersonModelConfig, comparisons: list[Any] | None = None, prior: float | None = None
) -> SettingsCreator:
    """Splink settings for the declared model: untrained unless trained ``comparisons`` are given."""
    return SettingsCreator(
        link_type=config.link_type,
        comparisons=comparisons if comparisons is not None else [comparison(spec) for spec in config.comparisons],
        blocking_rules_to_generate_predictions=[blocking_rule(r) for r in config.blocking_rules],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        **({"probability_two_random_records_match": prior} if prior is not None else {}),
    )


def train(frame: pd.DataFrame, config: PersonModelConfig, backend: str | Backend = Backend.DUCKDB) -> TrainedModel:
    """Estimate the model's parameters from unlabelled standardised records (see ``standardise``)."""
    plan = config.training
    db_api = database_api(backend)
    linker = Linker(db_api.register(frame), declared_settings(config), log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [blocking_rule(r) for r in plan.deterministic_rules], recall=plan.deterministic_recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=plan.u_max_pairs, seed=plan.seed)
    for rule in plan.em_blocking_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(blocking_rule(rule), max_pairs=plan.em_max_pairs)
    return TrainedModel(config, linker.misc.save_model_to_json())
