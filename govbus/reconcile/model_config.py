"""The person linkage model as declared in config (``reconcile/person_model.yaml``).

The file says which standard columns are compared and how (Splink comparison and level names with
their arguments), which pairs are scored (blocking rules), how the model is trained without labels,
and the thresholds that decide what is merged automatically and what a steward reviews.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from govbus.errors import ConfigurationError

BlockingSpec = list[str] | str  # a list of columns that must be equal, or a SQL condition on l. and r.
Decision = Literal["merge", "review", "separate"]


@dataclass(frozen=True)
class Thresholds:
    """Match probabilities: at or above ``auto_merge`` records are linked without a person;
    from ``review`` up to ``auto_merge`` a steward decides; below ``review`` they stay apart.
    """

    auto_merge: float
    review: float

    def __post_init__(self) -> None:
        if not 0.0 < self.review < self.auto_merge <= 1.0:
            raise ConfigurationError(
                f"thresholds must satisfy 0 < review < auto_merge <= 1; got review={self.review}, "
                f"auto_merge={self.auto_merge}"
            )

    def decide(self, match_probability: float) -> Decision:
        if match_probability >= self.auto_merge:
            return "merge"
        return "review" if match_probability >= self.review else "separate"


@dataclass(frozen=True)
class TrainingPlan:
    """Unsupervised training: the prior from deterministic rules, u by random sampling, m by EM."""

    seed: int
    deterministic_rules: list[BlockingSpec]
    deterministic_recall: float
    u_max_pairs: float
    em_max_pairs: float
    em_blocking_rules: list[BlockingSpec]


@dataclass(frozen=True)
class PersonModelConfig:
    """The declared model. ``comparisons`` are Splink specs, kept as plain data until built."""

    name: str
    path: Path
    model_file: Path
    link_type: str
    comparisons: list[dict[str, Any]]
    blocking_rules: list[BlockingSpec]
    training: TrainingPlan
    thresholds: Thresholds
    prediction_floor: float

    @property
    def columns(self) -> list[str]:
        """The standard columns the model reads (every column named by a comparison or rule)."""
        found: list[str] = []
        _collect_columns(self.comparisons, found)
        for rule in [*self.blocking_rules, *self.training.em_blocking_rules]:
            if isinstance(rule, list):  # plain column names only; expressions name theirs inside
                found.extend(c for c in rule if c.isidentifier() and c not in found)
        return found


def _collect_columns(spec: Any, found: list[str]) -> None:
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "col_name" and value not in found:
                found.append(value)
            else:
                _collect_columns(value, found)
    elif isinstance(spec, list):
        for item in spec:
            _collect_columns(item, found)


def load_model_config(path: Path) -> PersonModelConfig:
    """Read and check the model file; relative paths in it are relative to the file."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        training = document["training"]
        thresholds = document["thresholds"]
        return PersonModelConfig(
            name=str(document["name"]),
            path=path,
            model_file=path.parent / document["model_file"],
            link_type=document.get("link_type", "dedupe_only"),
            comparisons=list(document["comparisons"]),
            blocking_rules=list(document["blocking_rules"]),
            training=TrainingPlan(
                seed=int(training["seed"]),
                deterministic_rules=list(training["deterministic_rules"]),
                deterministic_recall=float(training["deterministic_recall"]),
                u_max_pairs=float(training["u_max_pairs"]),
                em_max_pairs=float(training["em_max_pairs"]),
                em_blocking_rules=list(training["em_blocking_rules"]),
            ),
            thresholds=Thresholds(auto_merge=float(thresholds["auto_merge"]), review=float(thresholds["review"])),
            prediction_floor=float(document.get("prediction_floor", thresholds["review"])),
        )
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"{path}: cannot read the model file: {exc}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigurationError(f"{path}: malformed model file, missing or wrong key {exc}") from exc
