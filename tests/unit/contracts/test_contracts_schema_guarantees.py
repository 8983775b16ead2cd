"""Per-record checks leave out what the topic's schema already enforces, and only that."""

from __future__ import annotations

from govbus.contracts.guaranteed import guaranteed_by
from govbus.contracts.loader import load_contracts
from govbus.contracts.model import FieldRule
from govbus.contracts.rules import ContractCheck
from govbus.schemas.version import SchemaVersion

SEX = {"type": "enum", "name": "Sex", "symbols": ["F", "M", "X"]}


def version(number: int, *fields: dict) -> SchemaVersion:
    return SchemaVersion("population.person.registered", number, {"type": "record", "name": "P", "fields": list(fields)})


def test_an_enum_within_the_values_and_a_non_null_field_are_guaranteed():
    schema = version(1, {"name": "id", "type": "string"}, {"name": "sex", "type": SEX})
    assert guaranteed_by([schema], "sex", FieldRule(values=["F", "M", "X"], clause="3.3"))
    assert guaranteed_by([schema], "id", FieldRule(not_null=True, clause="3.1"))


def test_what_any_version_lets_through_is_still_checked():
    tight = version(1, {"name": "id", "type": "string"}, {"name": "sex", "type": SEX})
    loose = version(2, {"name": "id", "type": ["null", "string"], "default": None}, {"name": "sex", "type": "string"})
    assert not guaranteed_by([tight, loose], "sex", FieldRule(values=["F", "M", "X"], clause="3.3"))
    assert not guaranteed_by([tight, loose], "id", FieldRule(not_null=True, clause="3.1"))
    # A symbol the contract does not allow, a default, an unknown field, other rule kinds.
    assert not guaranteed_by([tight], "sex", FieldRule(values=["F", "M"], clause="3.3"))
    assert not guaranteed_by([version(1, {"name": "id", "type": "string", "default": "x"})], "id", FieldRule(not_null=True, clause="3.1"))
    assert not guaranteed_by([tight], "nickname", FieldRule(not_null=True, clause="3.1"))
    assert not guaranteed_by([tight], "id", FieldRule(regex="^x$", clause="3.1"))
    assert not guaranteed_by([], "id", FieldRule(not_null=True, clause="3.1"))


def test_the_bus_check_drops_guaranteed_rules_and_still_catches_the_rest(project):
    contract = next(c for c in load_contracts(project.contracts_dir) if c.id == "population-registered-residents")
    full, on_bus = ContractCheck(contract), ContractCheck.on_schemas(contract, project.registry)
    dropped = {(r.field, r.rule.kind) for r in full.rules} - {(r.field, r.rule.kind) for r in on_bus.rules}
    assert dropped == {("national_id", "not_null"), ("sex", "values")}
    resident = {"national_id": "19800102-1234", "given_name": "Eva", "family_name": "Holm", "date_of_birth": "1980-01-02",
                "sex": "F", "street": "Skolgatan 2", "postcode": "33344", "city": "Sörby", "civil_status": None,
                "passport_number": None}
    assert on_bus.breach(resident) is None
    breach = on_bus.breach({**resident, "postcode": "333"})
    assert (breach.field, breach.rule, breach.clause) == ("postcode", "regex", "3.4")
