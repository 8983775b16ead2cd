"""`govbus contracts diff`: a breaking contract change fails, a compatible one passes, CI can gate on it."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import typer
from contract_files import REPO, edit
from typer.testing import CliRunner

from govbus.cli import contracts as contracts_cli
from govbus.contracts.diff import diff_contracts
from govbus.contracts.loader import load_contract_file

NOTICES = "post-change-of-address.yaml"


def _diff(tmp_path, old: str, new: str, name: str = NOTICES):
    before = tmp_path / "old.yaml"
    after = tmp_path / "new.yaml"
    shutil.copy(REPO / "contracts" / name, before)
    shutil.copy(REPO / "contracts" / name, after)
    edit(after, old, new)
    return diff_contracts(load_contract_file(before).contract, load_contract_file(after).contract)


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("      - regex: '^\\d{5}$'\n        clause: \"3.3\"\n  street", "      - regex: '^[1-9]\\d{4}$'\n        clause: \"3.3\"\n  street", "fields.old_postcode.rules.regex"),
        ("      - length: {min: 2, max: 200}", "      - length: {min: 2, max: 100}", "fields.full_name.rules.length"),
        ("  old_street:\n    classification: personal\n    consumers: [population]\n", "", "fields.old_street"),
        ("  consumer_copies: 180d", "  consumer_copies: 90d", "retention.consumer_copies"),
        ("  full_name:\n    classification: personal\n    consumers: [population]", "  full_name:\n    classification: personal\n    consumers: []", "fields.full_name.consumers"),
        ("      within: 24h", "      within: 12h", "agreement.service_levels.freshness"),
        ("on_violation: quarantine", "on_violation: reject", "on_violation"),
        ("  city:\n    classification: public\n    rules:\n      - length: {min: 1, max: 100}\n        clause: \"3.4\"\n",
         "  city:\n    classification: public\n    rules:\n      - length: {min: 1, max: 100}\n        clause: \"3.4\"\n      - values: [Norrvik, Sörby]\n        clause: \"3.4\"\n", "fields.city.rules"),
        ("      - not_null: true\n        clause: \"3.1\"\n", "      - not_null: true\n        clause: \"3.1\"\n        mostly: 1.0\n      - completeness: 0.9\n        clause: \"3.1\"\n", "fields.notice_id.rules"),
    ],
)
def test_tightening_or_taking_away_is_breaking(tmp_path, old, new, where):
    changes = _diff(tmp_path, old, new)
    assert any(c.breaking and c.where == where for c in changes), [str(c) for c in changes]
    # The major version was not bumped, which is itself reported.
    assert any(c.where == "version" and c.breaking for c in changes)


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("      - length: {min: 2, max: 200}", "      - length: {min: 1, max: 300}", "fields.full_name.rules.length"),
        ("  consumer_copies: 180d", "  consumer_copies: 365d", "retention.consumer_copies"),
        ("      - regex: '^\\d{4}-\\d{2}-\\d{2}$'\n        clause: \"3.5\"\n", "", "fields.effective_on.rules"),
        ("on_violation: quarantine", "on_violation: warn", "on_violation"),
        ("  review: 2027-02-28", "  review: 2027-08-31", "agreement.review"),
    ],
)
def test_loosening_is_not_breaking(tmp_path, old, new, where):
    changes = _diff(tmp_path, old, new)
    assert [c.where for c in changes] == [where] and not changes[0].breaking, [str(c) for c in changes]


def test_a_smaller_value_set_breaks_and_a_larger_one_does_not(tmp_path):
    name = "population-registered-residents.yaml"
    smaller = _diff(tmp_path, "values: [single, married, divorced, widowed]", "values: [single, married]", name)
    assert [(c.breaking, c.message) for c in smaller if c.where.endswith("values")] == [(True, "value set no longer allows ['divorced', 'widowed']")]
    larger = _diff(tmp_path, "values: [single, married, divorced, widowed]", "values: [single, married, divorced, widowed, partner]", name)
    assert [(c.breaking, c.message) for c in larger] == [(False, "value set now also allows ['partner']")]


def test_a_new_optional_field_is_compatible_but_a_required_one_breaks(tmp_path):
    addition = "  note:\n    classification: internal\n{rules}\nquality:"
    optional = _diff(tmp_path, "\nquality:", "\n" + addition.format(rules="    rules:\n      - length: {max: 500}\n        clause: \"3.1\""))
    assert [(c.where, c.breaking) for c in optional] == [("fields.note", False)]
    required = _diff(tmp_path, "\nquality:", "\n" + addition.format(rules="    rules:\n      - not_null: true\n        clause: \"3.1\""))
    assert ("fields.note.rules", True) in [(c.where, c.breaking) for c in required]


def test_the_cli_exits_2_on_a_breaking_change_and_0_otherwise(tmp_path):
    app = typer.Typer()
    app.add_typer(contracts_cli.app, name="contracts")
    runner = CliRunner()
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    shutil.copytree(REPO / "contracts", old_dir)
    shutil.copytree(REPO / "contracts", new_dir)
    same = runner.invoke(app, ["contracts", "diff", str(old_dir), str(new_dir)])
    assert same.exit_code == 0 and "0 change(s), 0 breaking" in same.output
    line = edit(new_dir / NOTICES, "  consumer_copies: 180d", "  consumer_copies: 30d")
    broken = runner.invoke(app, ["contracts", "diff", str(old_dir / NOTICES), str(new_dir / NOTICES)])
    assert broken.exit_code == 2
    assert f"{NOTICES}:{line}: BREAKING retention.consumer_copies: 180d -> 30d" in broken.output.replace(str(new_dir) + "/", "")
    as_json = runner.invoke(app, ["contracts", "diff", "--json", str(old_dir), str(new_dir)])
    assert as_json.exit_code == 2 and '"breaking": 2' in as_json.output


def _git(repo, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Steward", "-c", "user.email=steward@gov.example", *args], cwd=repo, check=True, capture_output=True)


def test_the_old_side_can_come_from_git(tmp_path):
    """CI diffs the working contracts against a revision without checking the old one out."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "contracts", repo / "contracts")
    _git(repo, "init", "-q")
    _git(repo, "add", "contracts")
    _git(repo, "commit", "-q", "-m", "contracts in force")
    line = edit(repo / "contracts" / NOTICES, "  consumer_copies: 180d", "  consumer_copies: 30d")
    shutil.copy(repo / "contracts" / "registry-person-merged.yaml", repo / "contracts" / "registry-person-merged-copy.yaml")
    edit(repo / "contracts" / "registry-person-merged-copy.yaml", "id: registry-person-merged", "id: registry-person-merged-copy")
    app = typer.Typer()
    app.add_typer(contracts_cli.app, name="contracts")
    runner = CliRunner()

    one = runner.invoke(app, ["contracts", "diff", "git:HEAD", str(repo / "contracts" / NOTICES)])
    assert one.exit_code == 2, one.output
    assert f"{NOTICES}:{line}: BREAKING retention.consumer_copies: 180d -> 30d" in one.output.replace(str(repo / "contracts") + "/", "")
    folder = runner.invoke(app, ["contracts", "diff", "--json", "git:HEAD", str(repo / "contracts")])
    changes = json.loads(folder.output)["changes"]
    assert folder.exit_code == 2
    assert ("id", "contract registry-person-merged-copy is new", False) in [(c["where"], c["message"], c["breaking"]) for c in changes]
    assert sum(c["breaking"] for c in changes) == 2  # the retention, and the major version it did not bump
    # A path of its own at the revision, here against an unchanged copy, so it passes.
    shutil.copy(REPO / "contracts" / NOTICES, repo / "kept.yaml")
    other = runner.invoke(app, ["contracts", "diff", f"git:HEAD:contracts/{NOTICES}", str(repo / "kept.yaml")])
    assert other.exit_code == 0 and "0 change(s), 0 breaking" in other.output

    unknown = runner.invoke(app, ["contracts", "diff", "git:no-such-branch", str(repo / "contracts" / NOTICES)])
    assert unknown.exit_code != 0 and "'no-such-branch' is not a commit" in str(unknown.exception)
