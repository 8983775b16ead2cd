"""The country on disk: byte-identical for a seed, truth in its own folder, events ready to publish."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from govbus.synthetic.agencies import SOURCES
from govbus.synthetic.country import generate_country
from govbus.synthetic.events import SUBJECTS, event_records
from govbus.synthetic.files import read_country, write_country


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_the_same_seed_writes_byte_identical_files(tmp_path: Path, file_format: str) -> None:
    write_country(tmp_path / "a", 700, seed=9, file_format=file_format, with_events=True)
    write_country(tmp_path / "b", 700, seed=9, file_format=file_format, with_events=True)
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert first.keys() == second.keys() and first == second


def test_written_country_reads_back_with_truth_apart(tmp_path: Path) -> None:
    manifest = write_country(tmp_path, 800, seed=4)
    assert json.loads((tmp_path / "country.json").read_text()) == manifest
    back = read_country(tmp_path)
    in_memory = generate_country(800, seed=4)
    for source in SOURCES:
        assert manifest["records"][source] == len(back.sources[source])
        assert "person_id" not in pd.read_parquet(tmp_path / "sources" / f"{source}.parquet").columns
        pd.testing.assert_frame_equal(back.truth[source], in_memory.truth[source], check_dtype=False)


def test_event_files_hold_one_schema_shaped_record_per_line(tmp_path: Path) -> None:
    write_country(tmp_path, 600, seed=8, with_events=True)
    back = read_country(tmp_path)
    for source, subject in SUBJECTS.items():
        lines = (tmp_path / "events" / f"{subject}.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line) for line in lines] == list(event_records(source, back.sources[source]))
