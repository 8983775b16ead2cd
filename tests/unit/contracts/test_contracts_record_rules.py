"""Per-record enforcement: a breach names the field, the rule, the value and the agreement clause."""

from __future__ import annotations

from re import search

import pytest
from contract_files import NOTICE, edit

from govbus import codec
from govbus.contracts import checks_for
from govbus.contracts.compiled import rule_test
from govbus.contracts.loader import load_contracts
from govbus.contracts.model import FieldRule
from govbus.contracts.rules import ContractCheck, breach_of
from govbus.errors import ContractViolation
from govbus.project import load_project


@pytest.fixture
def notices(project):
    contract = next(c for c in load_contracts(project.contracts_dir) if c.id == "post-change-of-address")
    return ContractCheck(contract)


def test_a_record_that_keeps_every_rule_passes(notices, project):
    codec.check_record(NOTICE, project.registry.get("post.address.change_notified"))
    assert notices.breach(NOTICE) is None


def test_a_bad_postcode_is_held_with_field_rule_value_and_clause(notices):
    breach = notices.breach({**NOTICE, "postcode": "2223"})
    assert (breach.field, breach.rule, breach.value, breach.action) == ("postcode", "regex", "2223", "quarantine")
    assert (breach.contract, breach.agreement, breach.clause) == ("post-change-of-address", "AGR-2026-031", "3.3")
    assert "'postcode' value '2223' breaks regex ^\\d{5}$" in str(breach)
    assert "AGR-2026-031 clause 3.3: 100% of postcodes, old and new, are valid five-digit postcodes." in str(breach)
    with pytest.raises(ContractViolation):
        notices({**NOTICE, "postcode": "2223"})


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"full_name": "A"}, "full_name", "length"),
        ({"date_of_birth": "1980-13-02"}, "date_of_birth", "regex"),
        ({"notice_id": None}, "notice_id", "not_null"),
        ({"city": ""}, "city", "length"),
    ],
)
def test_each_rule_kind_names_itself(notices, change, field, rule):
    breach = notices.breach({**NOTICE, **change})
    assert (breach.field, breach.rule) == (field, rule)


def test_missing_values_only_break_not_null(project):
    check = ContractCheck(next(c for c in load_contracts(project.contracts_dir) if c.id == "social-insured-persons"))
    insured = {"insured_id": "S1", "national_id": None, "given_name": "Eva", "family_name": "Holm", "date_of_birth": "1970-03-04",
               "street": "Skolgatan 2", "postcode": "33344", "city": "Sörby", "benefit": None, "bank_account": None}
    assert check.breach(insured) is None
    assert check.breach({**insured, "national_id": "19700304-12"}).field == "national_id"


def test_the_strictest_action_wins_when_a_record_breaks_several_rules(project):
    path = project.contracts_dir / "post-change-of-address.yaml"
    edit(path, "      - regex: '^\\d{4}-\\d{2}-\\d{2}$'\n        clause: \"3.5\"", "      - regex: '^\\d{4}-\\d{2}-\\d{2}$'\n        clause: \"3.5\"\n        on_violation: reject")
    check = ContractCheck(next(c for c in load_contracts(project.contracts_dir) if c.id == "post-change-of-address"))
    # The postcode (quarantine) comes first in the contract, the date (reject) later: reject wins.
    breach = check.breach({**NOTICE, "postcode": "1", "effective_on": "soon"})
    assert (breach.field, breach.action) == ("effective_on", "reject")
    assert check.breach({**NOTICE, "postcode": "1"}).action == "quarantine"


def test_a_warning_rule_reports_but_does_not_hold(project):
    check = ContractCheck(next(c for c in load_contracts(project.contracts_dir) if c.id == "population-address-changes"))
    move = {"national_id": "19800102-1234", "street": "Storgatan 1", "postcode": "11122", "city": "Norrvik", "moved_on": "yesterday"}
    assert check.breach(move).action == "warn" and check.breach(move).clause == "3.3"


def test_checks_for_gives_each_topic_its_contracts_checks_and_skips_drafts(project):
    checks = checks_for(project)
    assert set(checks) == set(project.topics)
    assert breach_of(checks["post.address.change_notified"], {**NOTICE, "old_postcode": "x"}).field == "old_postcode"
    edit(project.contracts_dir / "post-change-of-address.yaml", "status: active", "status: draft")
    assert "post.address.change_notified" not in checks_for(load_project(project.root))


@pytest.mark.parametrize(
    ("pattern", "value"),
    [
        (r"^\d{5}$", "12345"),
        (r"^\d{5}$", "x12345"),
        (r"^a|b", "xb"),  # only the first branch is anchored
        (r"(?m)^a", "x\na"),  # multi-line: ^ after any newline
        (r"\d{5}$", "x12345"),
    ],
)
def test_a_pattern_rule_finds_what_a_regex_search_finds(pattern, value):
    # The check may skip positions only where no match could start; its verdict is search's.
    kept = rule_test(FieldRule(regex=pattern, clause="1"))(value)
    assert kept is (search(pattern, value) is not None)
