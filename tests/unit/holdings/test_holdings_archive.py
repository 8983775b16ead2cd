"""Archives hold exactly the table's rows: Avro files with their schema, deflate, and a manifest that proves them."""

from __future__ import annotations

import fastavro
import pytest
from sqlalchemy import create_engine

from govbus.errors import FatalError
from govbus.holdings.agency import reflect
from govbus.holdings.archive import MANIFEST, describe, ordered_rows, read_manifest, write_archive
from govbus.holdings.catalogue import Holding
from govbus.holdings.steps import remaining
from govbus.holdings.verify import archived_rows, table_digest, verify_archive

HOLDING = Holding(name="benefit_copy", agency="social", url_env="UNUSED", table="benefit_copy", key_columns=["insured_id"],
                  columns={"street": "street"}, owner="Social Insurance Agency", legal_basis="act", retention="30d")


@pytest.fixture
def table(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'agency.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE benefit_copy (insured_id VARCHAR(20) PRIMARY KEY, street VARCHAR(50), "
                                   "amount FLOAT, months INTEGER, active BOOLEAN, paid_on DATE, note BLOB)")
        connection.exec_driver_sql("INSERT INTO benefit_copy VALUES (?, ?, ?, ?, ?, ?, ?)", [
            ("FK3", "Storgatan 1", 120.5, 3, 1, "2026-01-31", b"\x00\x01"),
            ("FK1", None, None, None, None, None, None),
            ("FK2", "Åsgränd 2", -0.1, 0, 0, "2025-12-01", b""),
        ])
    yield engine
    engine.dispose()


def _archive(engine, folder, rows_per_file=2):
    with engine.connect() as connection:
        layout = describe(connection, reflect(connection, "benefit_copy"), HOLDING)
        return write_archive(folder, layout, ordered_rows(connection, layout), rows_per_file, HOLDING, "benefit_copy-1")


def test_the_archive_reads_back_the_very_rows_in_key_order(table, tmp_path):
    manifest = _archive(table, tmp_path / "archive")

    assert manifest["rows"] == 3 and [f["rows"] for f in manifest["files"]] == [2, 1]
    rows = [row for batch in archived_rows(tmp_path / "archive", manifest) for row in batch]
    assert rows == [("FK1", None, None, None, None, None, None),
                    ("FK2", "Åsgränd 2", -0.1, 0, False, "2025-12-01", b""),
                    ("FK3", "Storgatan 1", 120.5, 3, True, "2026-01-31", b"\x00\x01")]
    with table.connect() as connection:
        assert table_digest(ordered_rows(connection, manifest["layout"])) == (3, manifest["content_sha256"])
    verify_archive(tmp_path / "archive", read_manifest(tmp_path / "archive"))


def test_files_are_deflated_and_carry_their_schema(table, tmp_path):
    manifest = _archive(table, tmp_path / "archive")

    with (tmp_path / "archive" / manifest["files"][0]["name"]).open("rb") as part:
        reader = fastavro.reader(part)
        assert reader.codec == "deflate"
        types = {f["name"]: f["type"] for f in reader.writer_schema["fields"]}
    assert types["months"] == ["null", "long"] and types["active"] == ["null", "boolean"] and types["amount"] == ["null", "double"]
    assert manifest["layout"]["primary_key"] == ["insured_id"]


def test_a_changed_file_fails_the_verification(table, tmp_path):
    manifest = _archive(table, tmp_path / "archive")
    part = tmp_path / "archive" / manifest["files"][1]["name"]
    part.write_bytes(part.read_bytes()[:-3] + b"xyz")

    with pytest.raises(FatalError, match="SHA-256 differs from the manifest"):
        verify_archive(tmp_path / "archive", manifest)


def test_a_manifest_that_promises_other_rows_fails_the_verification(table, tmp_path):
    manifest = _archive(table, tmp_path / "archive")

    with pytest.raises(FatalError, match="3 rows read back of 4"):
        verify_archive(tmp_path / "archive", {**manifest, "rows": 4})


def test_without_a_manifest_there_is_no_archive(tmp_path):
    with pytest.raises(FatalError, match="no readable manifest"):
        read_manifest(tmp_path)
    assert MANIFEST == "manifest.json"


def test_a_retirement_resumes_after_its_last_recorded_step():
    assert remaining(None) == ["archived", "verified", "replaced", "dropped", "announced"]
    assert remaining("verified") == ["replaced", "dropped", "announced"]
    assert remaining("announced") == [] and remaining("restored") == []


def test_a_file_encoded_in_chunks_is_one_container_of_the_rows_in_order(table, tmp_path, monkeypatch):
    # A chunk per row, two encoded at a time: one block from each process, joined after the one header;
    # read back in three shares.
    monkeypatch.setattr("govbus.holdings.encoding._CHUNK", 1)
    monkeypatch.setattr("govbus.holdings.encoding.cores", lambda: 2)
    monkeypatch.setattr("govbus.holdings.verify.cores", lambda: 3)
    manifest = _archive(table, tmp_path / "archive", rows_per_file=10)

    with (tmp_path / "archive" / manifest["files"][0]["name"]).open("rb") as part:
        assert [len(list(block)) for block in fastavro.block_reader(part)] == [1, 1, 1]
    with (tmp_path / "archive" / manifest["files"][0]["name"]).open("rb") as part:
        assert [r["insured_id"] for r in fastavro.reader(part)] == ["FK1", "FK2", "FK3"]
    verify_archive(tmp_path / "archive", manifest)


def test_an_empty_table_is_archived_as_one_file_of_its_header_alone(table, tmp_path):
    with table.begin() as connection:
        connection.exec_driver_sql("DELETE FROM benefit_copy")
    manifest = _archive(table, tmp_path / "archive")

    assert manifest["rows"] == 0 and [f["rows"] for f in manifest["files"]] == [0]
    verify_archive(tmp_path / "archive", manifest)


def test_a_file_holding_other_rows_than_its_entry_fails_the_verification(table, tmp_path):
    manifest = _archive(table, tmp_path / "archive")
    files = [{**manifest["files"][0], "rows": 3}, manifest["files"][1]]

    with pytest.raises(FatalError, match="holds 2 rows, its manifest entry 3"):
        verify_archive(tmp_path / "archive", {**manifest, "files": files})
