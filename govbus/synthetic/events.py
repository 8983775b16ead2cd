"""Agency records as the events they publish: one dict per record, shaped by the subject's schema.

The generator names its columns after the schema fields, so an event is the record's row with
missing values as ``None``. Sources without a published subject (migration) have no events.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

SUBJECTS: dict[str, str] = {
    "population": "population.person.registered",
    "tax": "tax.taxpayer.registered",
    "social": "social.person.insured",
    "municipality": "municipality.resident.registered",
    "post": "post.address.change_notified",
}


def event_records(source: str, records: pd.DataFrame) -> Iterator[dict[str, object]]:
    """Each record of ``source`` as an event for its subject (see ``SUBJECTS``)."""
    if source not in SUBJECTS:
        raise KeyError(f"{source!r} publishes no events; sources that do: {', '.join(SUBJECTS)}")
    return as_events(records)


def as_events(records: pd.DataFrame) -> Iterator[dict[str, object]]:
    """Each row as an event whose fields are the frame's columns (case chains use it as they are)."""
    for row in records.astype(object).where(records.notna(), None).itertuples(index=False, name=None):
        yield {name: _native(value) for name, value in zip(records.columns, row)}


def _native(value: object) -> object:
    # numpy integers (income) are not JSON or Avro friendly; Python ints are.
    return int(value) if hasattr(value, "dtype") and value.dtype.kind in "iu" else value
