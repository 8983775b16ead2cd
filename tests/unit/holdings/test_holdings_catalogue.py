"""The holdings catalogue: declarative, checked on load, with the agency database's secrets kept out of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from govbus.errors import ConfigurationError
from govbus.holdings import load_catalogue
from govbus.project import load_project
from govbus.store import Store

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def project(tmp_path: Path):
    shutil.copy(REPO_ROOT / "govbus.yaml", tmp_path / "govbus.yaml")
    shutil.copytree(REPO_ROOT / "contracts" / "holdings", tmp_path / "contracts" / "holdings")
    return load_project(tmp_path)


def _edit(project, change) -> None:
    path = project.contracts_dir / "holdings" / "catalogue.yaml"
    document = yaml.safe_load(path.read_text())
    change(document)
    path.write_text(yaml.safe_dump(document))


def test_the_demo_catalogue_lists_the_three_agency_copies(project):
    catalogue = load_catalogue(project)

    assert set(catalogue.holdings) == {"tax_taxpayer_address", "social_insured_person", "municipality_resident"}
    tax = catalogue.holding("tax_taxpayer_address")
    assert (tax.agency, tax.source, tax.key_columns, tax.legal_hold) == ("tax", "tax", ["tax_id"], False)
    assert tax.columns == {"street": "street", "postcode": "postcode"}
    assert tax.owner and tax.legal_basis and tax.retention == "3650d"


def test_the_database_url_comes_from_the_environment_and_is_shown_masked(project, monkeypatch):
    store = Store("sqlite:////tmp/govbus.db")
    tax = load_catalogue(project).holding("tax_taxpayer_address")
    monkeypatch.delenv(tax.url_env, raising=False)
    assert tax.url(store) == store.url

    monkeypatch.setenv(tax.url_env, "postgresql+psycopg://tax:s3cret@db.tax.example/taxdb")
    assert tax.url(store).endswith("tax:s3cret@db.tax.example/taxdb")
    assert "s3cret" not in tax.shown_url(store) and "***" in tax.shown_url(store)


def test_a_column_mapped_to_no_golden_attribute_is_named(project):
    _edit(project, lambda d: d["holdings"]["tax_taxpayer_address"]["columns"].update(city="city"))

    with pytest.raises(ConfigurationError, match=r"holdings\.tax_taxpayer_address\.columns.*city are not golden attributes"):
        load_catalogue(project)


def test_an_unknown_agency_and_a_bad_retention_are_refused(project):
    _edit(project, lambda d: d["holdings"]["tax_taxpayer_address"].update(agency="customs"))
    with pytest.raises(ConfigurationError, match="unknown agency customs"):
        load_catalogue(project)

    _edit(project, lambda d: d["holdings"]["tax_taxpayer_address"].update(agency="tax", retention="ten years"))
    with pytest.raises(ConfigurationError, match="retention.*must look like 7d"):
        load_catalogue(project)


def test_an_unknown_holding_lists_the_known_ones(project):
    with pytest.raises(ConfigurationError, match="no holding 'tax'.*municipality_resident, social_insured_person, tax_taxpayer_address"):
        load_catalogue(project).holding("tax")


def test_a_project_without_a_catalogue_has_no_holdings(tmp_path):
    shutil.copy(REPO_ROOT / "govbus.yaml", tmp_path / "govbus.yaml")

    assert load_catalogue(load_project(tmp_path)).holdings == {}


def test_the_catalogue_beside_the_contracts_does_not_disturb_the_contract_loader():
    from govbus.contracts.loader import load_contract_files

    files = load_contract_files(REPO_ROOT / "contracts")
    assert all(f.contract is not None and not f.problems for f in files)
    assert "registry-holding-retired" in {f.contract.id for f in files}
