"""``govbus connectors lint``: definitions against govbus.yaml, the schema registry and the contracts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from govbus.connectors.lint import lint_connectors
from govbus.project import load_project

REPO = Path(__file__).resolve().parents[3]
ROLL = {
    "name": "tax-roll",
    "kind": "sql_table",
    "agency": "tax",
    "subject": "tax.taxpayer.registered",
    "url": "${TAX_DB_URL}",
    "table": "taxpayer",
    "key": "tax_id",
    "cursor": "updated_at",
    "mapping": {
        "tax_id": "tax_id",
        "full_name": "name",
        "date_of_birth": {"column": "born", "transform": "date"},
        "street": "street",
        "postcode": "zip",
        "city": "city",
    },
}


@pytest.fixture
def lint(tmp_path, monkeypatch):
    """Lint one definition in a copy of the demo project; returns the problems as (level, message)."""
    monkeypatch.setenv("TAX_DB_URL", "sqlite:///tax.db")
    for folder in ("schemas", "contracts"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    shutil.copy(REPO / "govbus.yaml", tmp_path)
    (tmp_path / "connectors").mkdir()

    def run(**changes) -> list[tuple[str, str]]:
        definition = {**ROLL, **changes}
        (tmp_path / "connectors" / "roll.yaml").write_text(yaml.safe_dump({k: v for k, v in definition.items() if v is not None}))
        report = lint_connectors(load_project(tmp_path))
        return [(p.level, p.message) for p in report.problems]

    return run


def test_a_sound_definition_has_nothing_to_report(lint):
    assert lint() == []


def test_every_field_without_a_default_must_be_mapped(lint):
    mapping = {k: v for k, v in ROLL["mapping"].items() if k != "postcode"}
    assert lint(mapping=mapping) == [("error", "field 'postcode' has no default and is not mapped")]


def test_a_mapped_field_must_exist_in_the_subject(lint):
    ((level, message),) = lint(mapping={**ROLL["mapping"], "income": "inkomst"})
    assert level == "error" and message.startswith("tax.taxpayer.registered v1 has no field 'income' (fields: tax_id, full_name")


def test_a_mapping_must_give_the_type_the_field_holds(lint):
    assert lint(mapping={**ROLL["mapping"], "postcode": {"column": "zip", "transform": "int"}, "annual_income": {"value": "high"}}) == [
        ("error", "field 'annual_income' is long or null but the mapping gives a string"),
        ("error", "field 'postcode' is string but the mapping gives a long"),
    ]


def test_only_the_provider_may_feed_a_topic(lint):
    problems = lint(agency="social")
    assert ("error", "social may not publish to tax.taxpayer.registered: its provider is tax") in problems
    assert ("error", "contract tax-taxpayer-roll names tax as provider, not social") in problems


def test_a_sink_agency_must_be_a_consumer_under_the_contract(lint):
    sink = {"direction": "sink", "cursor": None, "subject": "population.person.address_changed", "table": "taxpayer_address",
            "mapping": {"national_id": "tax_id", "street": "street", "postcode": "postcode", "city": "city"}}
    assert lint(**sink) == []
    ((level, message),) = lint(**sink, agency="municipality")
    assert level == "error" and message.startswith("municipality is not a consumer under contract population-address-changes (AGR-2026-014)")


def test_capabilities_secrets_and_schedule_are_checked(lint, monkeypatch):
    monkeypatch.delenv("TAX_DB_URL")
    problems = lint(cursor=None, schedule="every hour", url="postgresql://tax:hunter2@db/tax")
    assert ("error", "an incremental run needs cursor: (a column that grows with every change)") in problems
    assert ("error", "url: holds a password; write url: ${AGENCY_DB_URL} and set the variable instead") in problems
    assert any(level == "error" and message.startswith("schedule 'every hour' is neither a preset") for level, message in problems)
    assert lint(schedule="15 * * * *", url="${TAX_DB_URL}") == [
        ("warning", "environment variable TAX_DB_URL is not set here; the connector needs it to run")
    ]


def test_unknown_kinds_and_agencies_are_named(lint):
    ((_, kind),) = lint(kind="mainframe")
    assert kind == "unknown source kind 'mainframe' (known: sql_table, outbox, file_drop, cdc)"
    ((_, agency),) = lint(agency="customs")
    assert agency.startswith("unknown agency 'customs' (known: appeals, border")


def test_problems_point_at_the_line_of_the_setting(lint, tmp_path):
    lint(schedule="sometimes")
    report = lint_connectors(load_project(tmp_path))
    lines = (tmp_path / "connectors" / "roll.yaml").read_text().splitlines()
    assert lines[report.problems[0].line - 1].startswith("schedule:")


def test_the_shipped_connectors_lint_clean():
    report = lint_connectors(load_project(REPO))
    assert report.errors == [] and len(report.files) >= 6
