"""Reading and writing record tables as CSV or Parquet, chosen by the file's suffix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from govbus.errors import ConfigurationError

SUFFIXES = (".csv", ".parquet")


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigurationError(f"{path}: unknown format {suffix!r}; use {' or '.join(SUFFIXES)}")
    return suffix


def read_table(path: Path) -> pd.DataFrame:
    """A CSV (every column read as text, empty cells missing) or Parquet file."""
    suffix = _suffix(path)
    if not path.is_file():
        raise ConfigurationError(f"{path}: no such file")
    if suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    return pd.read_parquet(path)


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV or Parquet, making the folder if needed."""
    suffix = _suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path
