"""``govbus contracts lint``: every contract against the registry, the project file and each other."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator

from govbus.contracts.lint_fields import lint_fields
from govbus.contracts.loader import ContractFile, Problem, compose, load_contract_files
from govbus.errors import ConfigurationError
from govbus.project import PROJECT_FILE, Project, duration_ms


@dataclass(frozen=True)
class LintReport:
    files: list[Path]
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    def to_dict(self) -> dict:
        return {
            "files": [str(f) for f in self.files],
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [{"file": str(p.path), "line": p.line, "level": p.level, "message": p.message} for p in self.problems],
        }


def lint_project(project: Project, today: date | None = None) -> LintReport:
    files = load_contract_files(project.contracts_dir)
    problems = [problem for f in files for problem in f.problems]
    parsed = [f for f in files if f.contract is not None]
    for contract_file in parsed:
        problems += _lint_contract(contract_file, project, today or date.today())
    problems += _lint_together(parsed, project)
    return LintReport([f.path for f in files], sorted(problems, key=lambda p: (str(p.path), p.line)))


def _lint_contract(contract_file: ContractFile, project: Project, today: date) -> Iterator[Problem]:
    contract = contract_file.contract
    yield from _parties(contract_file, project)
    yield from _dates(contract_file, today)
    yield from _agrees_with_project(contract_file, project)
    try:
        subject = project.registry.subject(contract.dataset.subject)
    except ConfigurationError:
        known = ", ".join(sorted(project.registry.subjects))
        yield contract_file.problem(f"subject {contract.dataset.subject!r} is not in the registry (known: {known})", "dataset", "subject")
        return
    if subject.mode.value != contract.dataset.compatibility.upper():
        yield contract_file.problem(
            f"compatibility {contract.dataset.compatibility} disagrees with the registry's {subject.mode.value} for {subject.name}",
            "dataset",
            "compatibility",
        )
    yield from lint_fields(contract_file, subject.latest)
    for index, rule in enumerate(contract.quality):
        if rule.clause not in contract.agreement.clauses:
            yield contract_file.problem(f"clause {rule.clause!r} is not in agreement {contract.agreement.ref}", "quality", index, "clause")
    if contract.holds_personal_data and not contract.retention.consumer_copies:
        yield contract_file.problem("the contract shares personal data, so retention.consumer_copies must say how long it is kept", "retention")
    if contract.retention.clause and contract.retention.clause not in contract.agreement.clauses:
        yield contract_file.problem(f"clause {contract.retention.clause!r} is not in agreement {contract.agreement.ref}", "retention", "clause")


def _parties(contract_file: ContractFile, project: Project) -> Iterator[Problem]:
    contract = contract_file.contract
    known = ", ".join(sorted(project.agencies))
    if contract.provider not in project.agencies:
        yield contract_file.problem(f"provider {contract.provider!r} is not an agency in {PROJECT_FILE} (known: {known})", "provider")
    for index, consumer in enumerate(contract.consumers):
        if consumer not in project.agencies:
            yield contract_file.problem(f"consumer {consumer!r} is not an agency in {PROJECT_FILE} (known: {known})", "consumers", index)
        if consumer == contract.provider:
            yield contract_file.problem(f"{consumer!r} is both provider and consumer", "consumers", index)
    if not contract.consumers:
        yield contract_file.problem("a shared data product needs at least one consumer", "consumers")


def _dates(contract_file: ContractFile, today: date) -> Iterator[Problem]:
    agreement = contract_file.contract.agreement
    if agreement.effective >= agreement.review:
        yield contract_file.problem(
            f"agreement review date {agreement.review} is not after its effective date {agreement.effective}", "agreement", "review"
        )
    elif agreement.review < today and contract_file.contract.status.value == "active":
        yield contract_file.problem(f"agreement {agreement.ref} was due for review on {agreement.review}", "agreement", "review", level="warning")


def _agrees_with_project(contract_file: ContractFile, project: Project) -> Iterator[Problem]:
    """The contract and govbus.yaml describe the same topic; when they disagree, both are suspect."""
    contract = contract_file.contract
    dataset = contract.dataset
    topic = project.topics.get(dataset.topic)
    if topic is None:
        yield contract_file.problem(f"topic {dataset.topic!r} is not declared in {PROJECT_FILE}", "dataset", "topic")
        return
    for name, ours, theirs in (
        ("subject", dataset.subject, topic.subject),
        ("key", dataset.key, topic.key),
        ("provider", contract.provider, topic.provider),
    ):
        if ours != theirs:
            where = ("provider",) if name == "provider" else ("dataset", name)
            yield contract_file.problem(f"{name} {ours!r} disagrees with {PROJECT_FILE}, which gives {dataset.topic} the {name} {theirs!r}", *where)
    if duration_ms(contract.retention.bus) != topic.retention_ms:
        yield contract_file.problem(
            f"retention.bus {contract.retention.bus} disagrees with {PROJECT_FILE}, which keeps {dataset.topic} for {topic.retention}",
            "retention",
            "bus",
        )


def _lint_together(files: list[ContractFile], project: Project) -> Iterator[Problem]:
    by_id: dict[str, list[ContractFile]] = defaultdict(list)
    by_topic: dict[str, list[ContractFile]] = defaultdict(list)
    for contract_file in files:
        by_id[contract_file.contract.id].append(contract_file)
        by_topic[contract_file.contract.dataset.topic].append(contract_file)
    for key, groups, what in (("id", by_id, "contract id"), ("topic", by_topic, "topic")):
        for value, group in groups.items():
            for later in group[1:]:
                where = ("id",) if key == "id" else ("dataset", "topic")
                yield later.problem(f"{what} {value!r} is also claimed by {group[0].path.name}", *where)
    project_file = project.root / PROJECT_FILE
    _, lines, _ = compose(project_file.read_text(encoding="utf-8"), project_file)
    for name in project.topics:
        if name not in by_topic:
            line = lines.get(("topics", name), 1)
            yield Problem(project_file, line, f"topic {name!r} has no contract in {project.contracts_dir.name}/", "warning")
