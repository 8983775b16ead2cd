"""The synthetic country on disk, written chunk by chunk so a million people fit in memory.

Layout of the output folder::

    country.json                 what was generated: seed, people, noise rates, record counts
    sources/<source>.<fmt>       each agency's records (what linkage reads)
    cases/migration.<fmt>        the Migration Board's cases
    truth/<source>.<fmt>         record_id -> person_id, kept apart from the data
    truth/people.<fmt>           the people as they really are
    events/<subject>.jsonl       with events=True: records shaped for ``govbus publish``
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from govbus.errors import ConfigurationError
from govbus.reconcile.tables import read_table
from govbus.synthetic.agencies import SOURCES
from govbus.synthetic.country import SyntheticCountry, iter_country
from govbus.synthetic.events import SUBJECTS
from govbus.synthetic.names import LOCALE
from govbus.synthetic.noise import NoiseRates

GENERATOR = "govbus-synthetic/1"
FORMATS = ("parquet", "csv")


class _TableFile:
    """One output table, appended to chunk by chunk."""

    def __init__(self, path: Path, file_format: str) -> None:
        self.path = path
        self.file_format = file_format
        self.rows = 0
        self._parquet: pq.ParquetWriter | None = None

    def add(self, frame: pd.DataFrame) -> None:
        if self.file_format == "csv":
            frame.to_csv(self.path, mode="a" if self.rows else "w", header=not self.rows, index=False)
        else:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.path, table.schema)
            self._parquet.write_table(table.cast(self._parquet.schema))
        self.rows += len(frame)

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()


def write_country(
    out_dir: Path,
    people: int,
    seed: int,
    noise: NoiseRates | None = None,
    file_format: str = "parquet",
    with_events: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Generate the country into ``out_dir`` and return its manifest (also in country.json)."""
    if file_format not in FORMATS:
        raise ConfigurationError(f"unknown format {file_format!r}; use one of {', '.join(FORMATS)}")
    noise = noise or NoiseRates()
    for folder in ("sources", "cases", "truth", *(("events",) if with_events else ())):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
    names = [*(f"sources/{s}" for s in SOURCES), *(f"truth/{s}" for s in SOURCES), "truth/people", "cases/migration"]
    tables = {name: _TableFile(out_dir / f"{name}.{file_format}", file_format) for name in names}
    events = {}
    if with_events:
        events = {s: (out_dir / "events" / f"{subject}.jsonl").open("w", encoding="utf-8") for s, subject in SUBJECTS.items()}
    done = 0
    try:
        for chunk in iter_country(people, seed, noise):
            _write_chunk(chunk, tables, events)
            done += len(chunk.people)
            if on_progress:
                on_progress(done)
    finally:
        for table in tables.values():
            table.close()
        for handle in events.values():
            handle.close()
    manifest = {
        "generator": GENERATOR,
        "locale": LOCALE,
        "people": people,
        "seed": seed,
        "format": file_format,
        "noise": noise.to_dict(),
        "records": {s: tables[f"sources/{s}"].rows for s in SOURCES},
        "cases": tables["cases/migration"].rows,
        "events": {SUBJECTS[s]: tables[f"sources/{s}"].rows for s in events},
    }
    (out_dir / "country.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _write_chunk(chunk: SyntheticCountry, tables: dict[str, _TableFile], events: dict[str, Any]) -> None:
    for source in SOURCES:
        tables[f"sources/{source}"].add(chunk.sources[source])
        tables[f"truth/{source}"].add(chunk.truth[source])
    tables["truth/people"].add(chunk.people)
    tables["cases/migration"].add(chunk.cases)
    for source, handle in events.items():
        # pandas writes JSON Lines in C, with missing values as null: the records event_records yields.
        handle.write(chunk.sources[source].to_json(orient="records", lines=True, force_ascii=False))


def read_country(out_dir: Path) -> SyntheticCountry:
    """A country written by ``write_country``, back in memory."""
    manifest_path = out_dir / "country.json"
    if not manifest_path.exists():
        raise ConfigurationError(f"{out_dir}: no country.json; generate one with `govbus synth generate`")
    suffix = json.loads(manifest_path.read_text(encoding="utf-8"))["format"]
    return SyntheticCountry(
        people=read_table(out_dir / "truth" / f"people.{suffix}"),
        sources={s: read_table(out_dir / "sources" / f"{s}.{suffix}") for s in SOURCES},
        truth={s: read_table(out_dir / "truth" / f"{s}.{suffix}") for s in SOURCES},
        cases=read_table(out_dir / "cases" / f"migration.{suffix}"),
    )
