"""The schema registry over the project's ``schemas/`` folder."""

from govbus.schemas.compatibility import CompatibilityMode, CompatibilityProblem
from govbus.schemas.registry import SchemaRegistry, SchemaVersion, Subject

__all__ = [
    "CompatibilityMode",
    "CompatibilityProblem",
    "SchemaRegistry",
    "SchemaVersion",
    "Subject",
]
