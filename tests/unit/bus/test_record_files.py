"""Reading JSON Lines and CSV: CSV cells are typed by the schema, nothing is skipped."""

from govbus.project import load_project
from govbus.record_files import count_records, read_records

REPO = __import__("pathlib").Path(__file__).resolve().parents[3]


def test_csv_cells_are_coerced_to_schema_types(tmp_path):
    schema = load_project(REPO).registry.get("tax.taxpayer.registered")
    path = tmp_path / "taxpayers.csv"
    path.write_text(
        "tax_id,full_name,date_of_birth,street,postcode,city,annual_income\n"
        "19800102-1234,Anna Berg,1980-01-02,Storgatan 1,11122,Norrvik,420000\n"
        "19900304-5678,Olle Lind,1990-03-04,Kyrkvägen 2,11133,Norrvik,\n"
        "19910304-5678,Eva Ek,1991-03-04,Kyrkvägen 3,11133,Norrvik,lots\n"
    )
    rows = list(read_records(path, schema))
    assert count_records(path) == 3 == len(rows)
    assert rows[0]["annual_income"] == 420000
    assert rows[1]["annual_income"] is None
    # Left as text so validation can report it against the field, rather than silently dropped.
    assert rows[2]["annual_income"] == "lots"


def test_a_broken_json_line_is_yielded_not_skipped(tmp_path):
    schema = load_project(REPO).registry.get("population.person.address_changed")
    path = tmp_path / "moves.jsonl"
    path.write_text('{"national_id": "1"}\n{not json\n\n{"national_id": "2"}\n')
    rows = list(read_records(path, schema))
    assert count_records(path) == 3 == len(rows)
    assert rows[1] == "{not json"
