"""A connector run parses its project's contracts once; an edited contract folder is read again."""

from __future__ import annotations

import os

import yaml

from govbus.audit import hooks
from govbus.audit.hooks import agreement_of, contracts_of


def _parses(monkeypatch) -> list[object]:
    parsed: list[object] = []
    load = hooks.load_contracts

    def counted(folder):
        parsed.append(folder)
        return load(folder)

    monkeypatch.setattr(hooks, "load_contracts", counted)
    return parsed


def test_the_agreements_and_the_checks_share_one_parse(demo_project, monkeypatch):
    project = demo_project()
    parsed = _parses(monkeypatch)

    contracts = contracts_of(project)
    topic = next(c.dataset.topic for c in contracts if c.id == "tax-taxpayer-roll")
    assert agreement_of(project, topic) == next(c.agreement.ref for c in contracts if c.dataset.topic == topic)
    assert contracts_of(project) is contracts
    assert parsed == [project.contracts_dir]


def test_an_edited_or_removed_contract_is_read_again(demo_project, monkeypatch):
    project = demo_project()
    parsed = _parses(monkeypatch)
    path = project.contracts_dir / "tax-taxpayer-roll.yaml"
    contract = yaml.safe_load(path.read_text())
    topic = contract["dataset"]["topic"]
    before = agreement_of(project, topic)

    contract["agreement"]["ref"] = "AGR-2027-901"
    path.write_text(yaml.safe_dump(contract, allow_unicode=True))
    # The same second and size would still differ in the inode or the nanoseconds; be sure of a new time.
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert agreement_of(project, topic) == "AGR-2027-901" != before

    path.unlink()
    assert agreement_of(project, topic) is None
    assert len(parsed) == 3
