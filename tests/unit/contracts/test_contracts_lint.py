"""`govbus contracts lint`: the shipped contracts are clean; a broken one is pointed at by file and line."""

from __future__ import annotations

from datetime import date

import pytest
import typer
from contract_files import edit
from typer.testing import CliRunner

from govbus.cli import contracts as contracts_cli
from govbus.cli.context import CliState
from govbus.contracts.lint import lint_project
from govbus.contracts.loader import load_contracts
from govbus.project import load_project

ADDRESS = "population-address-changes.yaml"


def test_shipped_contracts_lint_clean_and_cover_every_topic(project):
    report = lint_project(project, today=date(2026, 6, 1))
    assert report.problems == []
    assert len(report.files) == len(project.topics)
    covered = {c.dataset.topic for c in load_contracts(project.contracts_dir)}
    assert covered == set(project.topics)


def test_shipped_agreements_say_what_the_partnership_agreements_say(project):
    contracts = {c.agreement.ref: c for c in load_contracts(project.contracts_dir)}
    moves = contracts["AGR-2026-014"]
    assert (moves.provider, moves.consumers) == ("population", ["tax", "social"])
    assert moves.agreement.service_levels.freshness.within == "1h"
    assert moves.agreement.service_levels.completeness.at_least == 0.995
    assert "Population Registration Act" in moves.agreement.legal_basis and moves.agreement.costs.amount == 0
    assert (moves.agreement.disputes.body, moves.agreement.disputes.escalate_within_working_days) == ("Data Sharing Board", 10)
    notices = contracts["AGR-2026-031"]
    assert project.agencies[notices.provider].kind.value == "private_partner"
    assert notices.agreement.published_for_transparency and notices.agreement.costs.unit == "notice"
    postcode_rules = [r for field, r in notices.field_rules() if field in {"postcode", "old_postcode"}]
    assert {(r.kind, r.regex, r.mostly) for r in postcode_rules} == {("regex", r"^\d{5}$", 1.0)}


@pytest.mark.parametrize(
    ("old", "new", "expected", "shown_line"),
    [
        ("  subject: population.person.address_changed\n", "  subject: population.person.moved\n", "subject 'population.person.moved' is not in the registry", "subject: population.person.moved"),
        ("consumers: [tax, social]\n\nagreement", "consumers: [tax, socal]\n\nagreement", "consumer 'socal' is not an agency in govbus.yaml", "consumers: [tax, socal]"),
        ("  review: 2027-06-30", "  review: 2025-12-31", "review date 2025-12-31 is not after its effective date 2026-01-01", "review: 2025-12-31"),
        ("  consumer_copies: 730d\n", "", "personal data, so retention.consumer_copies must say how long", "retention:"),
        ("  key: national_id", "  key: postcode", "key 'postcode' disagrees with govbus.yaml", "key: postcode"),
        ("  bus: 30d", "  bus: 7d", "retention.bus 7d disagrees with govbus.yaml", "bus: 7d"),
        ("  city:\n    classification: public", "  town:\n    classification: public", "field 'town' is not in population.person.address_changed v2", "town:"),
        ("      - regex: '^\\d{5}$'\n        clause: \"3.2\"", "      - regex: '^\\d{5}$'\n        clause: \"3.9\"", "clause '3.9' is not in agreement AGR-2026-014", 'clause: "3.9"'),
        ("      - regex: '^\\d{5}$'", "      - regex: '^(\\d{5}'", "the pattern does not compile", "regex: '^(\\d{5}'"),
        ("    consumers: [tax, social]\n    rules:\n      - length", "    consumers: [tax, migration]\n    rules:\n      - length", "is given to 'migration', which is not a consumer", "consumers: [tax, migration]"),
        ("  effective: 2026-01-01", "  effective: 2026-01-01\n  effective: 2026-02-01", "duplicate key 'effective'", "effective: 2026-02-01"),
        ("status: active", "status: [active", "not valid YAML", ""),
    ],
)
def test_a_broken_contract_fails_lint_with_a_message_at_its_line(project, old, new, expected, shown_line):
    path = project.contracts_dir / ADDRESS
    edit(path, old, new)
    errors = lint_project(load_project(project.root), today=date(2026, 6, 1)).errors
    found = [e for e in errors if expected in e.message]
    assert found, [str(e) for e in errors]
    assert found[0].path == path
    assert shown_line in path.read_text().splitlines()[found[0].line - 1]


def test_rules_must_fit_the_field_type(project):
    path = project.contracts_dir / "tax-taxpayer-roll.yaml"
    edit(path, "  city:\n    classification: public\n", "  city:\n    classification: public\n    rules:\n      - range: {min: 1}\n        clause: \"3.3\"\n")
    line = edit(path, "      - range: {min: 0, max: 1000000000}", "      - regex: '^\\d+$'")
    messages = {(e.line, e.message) for e in lint_project(load_project(project.root)).errors}
    assert (line, "field 'annual_income' rule regex: needs a string field, but the field is long or null") in messages
    assert any("field 'city' rule range: needs a numeric field, but the field is string" in m for _, m in messages)


def test_a_second_contract_for_the_same_topic_is_reported(project):
    source = project.contracts_dir / ADDRESS
    copy = project.contracts_dir / "zz-copy.yaml"
    copy.write_text(source.read_text().replace("id: population-address-changes", "id: population-address-copy"))
    errors = lint_project(load_project(project.root)).errors
    assert any(e.path == copy and "topic 'population.person.address_changed' is also claimed by" in e.message for e in errors)


def test_a_topic_without_a_contract_is_a_warning_at_its_line_in_govbus_yaml(project):
    (project.contracts_dir / "municipality-residents.yaml").unlink()
    warnings = lint_project(load_project(project.root)).warnings
    found = [w for w in warnings if "municipality.resident.registered" in w.message]
    assert found and found[0].path.name == "govbus.yaml"
    lines = (project.root / "govbus.yaml").read_text().splitlines()
    assert lines[found[0].line - 1].strip() == "municipality.resident.registered:"


def test_the_lint_command_prints_file_and_line_and_exits_non_zero(project):
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = CliState(project_dir=project.root)

    app.add_typer(contracts_cli.app, name="contracts")
    clean = CliRunner().invoke(app, ["contracts", "lint"])
    shipped = len(list(project.contracts_dir.glob("*.yaml")))
    assert clean.exit_code == 0 and f"{shipped} contract(s): 0 error(s), 0 warning(s)" in clean.output
    line = edit(project.contracts_dir / ADDRESS, "provider: population", "provider: populace")
    broken = CliRunner().invoke(app, ["contracts", "lint"])
    assert broken.exit_code == 1
    assert f"{ADDRESS}:{line}: error: provider 'populace' is not an agency in govbus.yaml" in broken.output.replace("\n", "")
