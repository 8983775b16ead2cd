"""Data contracts backed by partnership agreements: loading, linting, diffing and enforcing them.

Importing this package stays cheap; Great Expectations is imported only by batch validation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govbus.contracts.loader import contracts_in, load_contracts
from govbus.contracts.rules import ContractCheck, RecordCheck, record_checks

if TYPE_CHECKING:
    from govbus.project import Project


def checks_for(project: Project) -> dict[str, list[RecordCheck]]:
    """Per-record checks by topic for ``Publisher(project, checks=checks_for(project))``, less
    the rules the topics' schemas already enforce."""
    return record_checks(contracts_in(project.contracts_dir), project.registry)


__all__ = ["ContractCheck", "RecordCheck", "checks_for", "contracts_in", "load_contracts", "record_checks"]
