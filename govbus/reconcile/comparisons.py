"""Declared comparisons and blocking rules, built into Splink objects.

A comparison spec names a class of ``splink.comparison_library`` and its arguments::

    {comparison: ExactMatch, col_name: passport_number}

or a custom comparison whose levels name classes of ``splink.comparison_level_library``::

    {comparison: CustomComparison, output_column_name: date_of_birth, comparison_levels: [
        {level: NullLevel, col_name: date_of_birth},
        {level: ExactMatchLevel, col_name: date_of_birth},
        {level: CustomLevel, sql_condition: "...", label_for_charts: day and month swapped},
        {level: ElseLevel}]}

``configure:`` on either passes options to Splink's ``.configure()`` (term frequencies, labels).
``And``/``Or``/``Not`` levels take their parts under ``of:``. A blocking rule is a list of columns
that must be equal, or a SQL condition on ``l.`` and ``r.``.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import block_on
from splink.blocking_rule_library import CustomRule

from govbus.errors import ConfigurationError
from govbus.reconcile.model_config import BlockingSpec

_COMBINATORS = {"And", "Or", "Not"}


def comparison(spec: dict[str, Any]) -> Any:
    """A Splink comparison creator from its spec."""
    spec = dict(spec)
    configure = spec.pop("configure", {})
    kind = _named(cl, "comparison", spec.pop("comparison", None))
    if "comparison_levels" in spec:
        spec["comparison_levels"] = [level(part) for part in spec["comparison_levels"]]
    return _built(kind, spec, configure)


def level(spec: dict[str, Any]) -> Any:
    """A Splink comparison level creator from its spec."""
    spec = dict(spec)
    configure = spec.pop("configure", {})
    name = spec.pop("level", None)
    kind = _named(cll, "comparison level", name)
    if name in _COMBINATORS:
        return _built(kind, {}, configure, *[level(part) for part in spec.pop("of")])
    return _built(kind, spec, configure)


def blocking_rule(spec: BlockingSpec) -> Any:
    """``[a, b]`` -> ``block_on("a", "b")``; a string is a SQL condition on ``l.`` and ``r.``."""
    if isinstance(spec, str):
        return CustomRule(spec)
    if isinstance(spec, list) and spec and all(isinstance(c, str) for c in spec):
        return block_on(*spec)
    raise ConfigurationError(f"blocking rule {spec!r}: use a list of columns or a SQL condition")


def _named(module: Any, kind: str, name: str | None) -> Any:
    valid = sorted(n for n in getattr(module, "__all__", []))
    if name not in valid:
        raise ConfigurationError(f"unknown {kind} {name!r}; valid: {', '.join(valid)}")
    return getattr(module, name)


def _built(kind: Any, arguments: dict[str, Any], configure: dict[str, Any], *parts: Any) -> Any:
    try:
        built = kind(*parts, **arguments)
        return built.configure(**configure) if configure else built
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"{kind.__name__}({arguments}): {exc}") from exc
