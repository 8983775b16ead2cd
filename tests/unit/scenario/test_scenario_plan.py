"""The scenario's ground truth: each event's planned fate is the one the bus's own checks give it."""

from __future__ import annotations

from pathlib import Path

import pytest

from govbus import codec
from govbus.contracts import checks_for
from govbus.errors import ConfigurationError, ContractViolation, ViolationError
from govbus.project import load_project
from govbus.scenario.faults import ACCEPTED, DEAD_LETTERED, QUARANTINED
from govbus.scenario.plan import plan_scenario
from govbus.synthetic.cases import CHAIN

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def plan():
    return plan_scenario("small", seed=3)


def _fate(project, checks, subject: str, record: dict) -> str:
    topic = project.topic_for_subject(subject).name
    try:
        codec.check_record(record, project.registry.get(subject))
        for check in checks.get(topic, []):
            check(record)
    except ContractViolation as breach:
        return QUARANTINED if breach.action == "quarantine" else DEAD_LETTERED
    except ViolationError:
        return DEAD_LETTERED
    return ACCEPTED


def test_every_planned_fate_is_what_the_schema_and_contract_checks_decide(plan):
    project = load_project(REPO)
    checks = checks_for(project)
    for delivery in plan.deliveries:
        decided = [_fate(project, checks, delivery.subject, record) for record in delivery.records]
        assert decided == delivery.fates, delivery.subject


def test_the_counts_add_up_and_every_kind_of_bad_input_is_there(plan):
    expected = plan.expected()
    assert expected["published"] == expected[ACCEPTED] + expected[QUARANTINED] + expected[DEAD_LETTERED]
    assert expected[QUARANTINED] >= 4 and expected[DEAD_LETTERED] >= 4
    assert {d.agency for d in plan.deliveries} >= {"population", "tax", "social", "municipality", "post", "embassy", "migration", "appeals", "border"}


def test_the_true_persons_are_those_behind_accepted_person_records(plan):
    accepted_residents = {p for d in plan.deliveries if d.agency == "population" for p, f in zip(d.person_ids, d.fates) if f == ACCEPTED}
    applicants = {p for d in plan.deliveries if d.agency == "embassy" for p in d.person_ids}
    # Newcomers not yet registered are known only through their application.
    assert len(accepted_residents | applicants) <= plan.persons() <= plan.people
    assert len(accepted_residents) < plan.persons()


def test_the_first_case_walks_the_whole_chain_and_every_step_names_its_case(plan):
    first = plan.complete_cases()[0]
    steps = plan.chains.steps
    assert all((steps[subject]["case_id"] == first).sum() == 1 for subject in CHAIN)
    assert steps["migration.visa.decided"].set_index("case_id").loc[first, "decision"] == "refused"
    assert steps["appeals.appeal.decided"].set_index("case_id").loc[first, "outcome"] == "upheld"
    # Later steps only follow earlier ones: no entry without a grant, no ruling without an appeal.
    granted = set(steps["migration.visa.decided"].query("decision == 'granted'")["case_id"])
    upheld = set(steps["appeals.appeal.decided"].query("outcome == 'upheld'")["case_id"])
    assert set(steps["border.entry.recorded"]["case_id"]) <= granted | upheld
    assert set(steps["appeals.appeal.decided"]["case_id"]) == set(steps["appeals.appeal.lodged"]["case_id"])


def test_an_unknown_size_is_refused_with_the_known_ones():
    with pytest.raises(ConfigurationError, match="small, medium, large"):
        plan_scenario("huge")
