"""Contracts are parsed once per state of their folder: the checks and the agreements share that
parse; an edited, removed or broken contract is read again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from govbus.audit.hooks import agreement_of
from govbus.contracts import checks_for, contracts_in, loader
from govbus.contracts.loader import load_contracts
from govbus.errors import ConfigurationError


def _parses(monkeypatch) -> list[Path]:
    parsed: list[Path] = []
    load = loader.load_contracts

    def counted(folder):
        parsed.append(folder)
        return load(folder)

    monkeypatch.setattr(loader, "load_contracts", counted)
    return parsed


def _touched(path: Path) -> None:
    # The same second and size would still differ in the inode or the nanoseconds; be sure of a new time.
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))


def test_the_checks_and_the_agreements_share_one_parse(project, monkeypatch):
    parsed = _parses(monkeypatch)

    contracts = contracts_in(project.contracts_dir)
    roll = next(c for c in contracts if c.id == "tax-taxpayer-roll")
    assert agreement_of(project, roll.dataset.topic) == roll.agreement.ref
    assert roll.dataset.topic in checks_for(project)
    assert contracts_in(project.contracts_dir) is contracts
    assert parsed == [project.contracts_dir]


def test_an_edited_or_removed_contract_is_read_again(project, monkeypatch):
    parsed = _parses(monkeypatch)
    path = project.contracts_dir / "tax-taxpayer-roll.yaml"
    contract = yaml.safe_load(path.read_text())
    topic = contract["dataset"]["topic"]
    before = agreement_of(project, topic)

    contract["agreement"]["ref"] = "AGR-2027-901"
    path.write_text(yaml.safe_dump(contract, allow_unicode=True))
    _touched(path)
    assert agreement_of(project, topic) == "AGR-2027-901" != before

    path.unlink()
    assert agreement_of(project, topic) is None
    assert topic not in checks_for(project)
    assert len(parsed) == 3


def test_a_broken_contract_raises_as_when_loaded_each_time_until_it_is_fixed(project, monkeypatch):
    parsed = _parses(monkeypatch)
    path = project.contracts_dir / "tax-taxpayer-roll.yaml"
    text = path.read_text()
    path.write_text(text.replace("agreement:", "agreement: [", 1))
    with pytest.raises(ConfigurationError) as loaded:
        load_contracts(project.contracts_dir)
    assert "tax-taxpayer-roll.yaml" in str(loaded.value)

    for _ in range(2):
        with pytest.raises(ConfigurationError) as cached:
            checks_for(project)
        assert str(cached.value) == str(loaded.value)

    path.write_text(text)
    _touched(path)
    assert "tax-taxpayer-roll" in {c.id for c in contracts_in(project.contracts_dir)}
    # Both failures parsed the folder, so did the fix: a failure is never kept.
    assert len(parsed) == 3
