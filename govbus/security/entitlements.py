"""Entitlements: which fields of a topic each consumer named by its contract may receive.

A public or internal field goes to every consumer of the contract; a personal or sensitive one
only to the consumers the contract names on it. A schema field the contract does not classify is
withheld from everyone: nothing is shared that no agreement allows.
"""

from __future__ import annotations

from dataclasses import dataclass

from govbus.contracts.loader import contracts_in
from govbus.contracts.model import Contract, Status
from govbus.project import Project

# Contracts whose agreement is in force; a draft or retired one grants nothing.
IN_FORCE = (Status.active, Status.deprecated)
PROJECTION_INFIX = ".for."


def projected_name(name: str, consumer: str) -> str:
    """``population.person.registered`` as Tax receives it: ``population.person.registered.for.tax``."""
    return f"{name}{PROJECTION_INFIX}{consumer}"


def may_receive(contract: Contract, field: str, consumer: str) -> bool:
    spec = contract.fields.get(field)
    if spec is None:
        return False
    return not spec.classification.restricted or consumer in spec.consumers


@dataclass(frozen=True)
class Entitlement:
    """What one consumer receives of one contract's topic."""

    contract: Contract
    consumer: str
    fields: tuple[str, ...]
    withheld: tuple[str, ...]

    @property
    def topic(self) -> str:
        return self.contract.dataset.topic

    @property
    def agreement(self) -> str:
        return self.contract.agreement.ref

    @property
    def projected(self) -> bool:
        """Whether the consumer reads a projection rather than the topic itself."""
        return bool(self.withheld)

    @property
    def read_topic(self) -> str:
        return projected_name(self.topic, self.consumer) if self.projected else self.topic


def entitlements(project: Project) -> list[Entitlement]:
    """One entitlement per consumer of each contract in force whose topic the project declares."""
    result = []
    for contract in contracts_in_force(project):
        topic = project.topics[contract.dataset.topic]
        names = project.registry.get(topic.subject).field_names
        for consumer in contract.consumers:
            kept = tuple(name for name in names if may_receive(contract, name, consumer))
            withheld = tuple(name for name in names if name not in kept)
            result.append(Entitlement(contract, consumer, kept, withheld))
    return result


def contracts_in_force(project: Project) -> list[Contract]:
    """The project's contracts in force, each for a topic govbus.yaml declares."""
    return [
        contract
        for contract in contracts_in(project.contracts_dir)
        if contract.status in IN_FORCE and contract.dataset.topic in project.topics
    ]
