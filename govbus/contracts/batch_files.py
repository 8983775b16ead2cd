"""Reading a landed batch from a CSV or Parquet file, typed by the contract's schema."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from govbus.contracts.batches import FrameBatch
from govbus.contracts.field_types import field_type
from govbus.contracts.model import Contract
from govbus.errors import ConfigurationError
from govbus.project import Project


def read_batch(project: Project, contract: Contract, path: Path) -> FrameBatch:
    """A CSV keeps text as text (postcodes keep their leading zeros); Parquet carries its own types."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif suffix == ".csv":
        schema = project.registry.get(contract.dataset.subject)
        text = {name: "string" for name in schema.field_names if field_type(schema.field(name)).textual}
        frame = pd.read_csv(path, dtype=text)
    else:
        raise ConfigurationError(f"{path}: cannot validate {suffix!r} files; use .csv or .parquet")
    return FrameBatch(frame, path.name)
