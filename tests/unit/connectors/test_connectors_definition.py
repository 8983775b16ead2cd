"""Connector definitions: secrets from the environment, never shown; clear errors for bad files."""

from __future__ import annotations

import pytest
import yaml

from govbus.connectors.definition import load_definition, load_definitions
from govbus.errors import ConfigurationError
from govbus.project import load_project

BASE = {"name": "tax-roll", "kind": "sql_table", "agency": "tax", "subject": "tax.taxpayer.registered",
        "url": "${TAX_DB_URL}", "table": "taxpayer", "key": "tax_id", "cursor": "updated_at"}


def _write(folder, name="tax-roll.yaml", **changes):
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump({**BASE, **changes}))
    return path


def test_the_url_is_filled_from_the_environment_only_when_the_connector_runs(tmp_path, monkeypatch):
    monkeypatch.delenv("TAX_DB_URL", raising=False)
    definition = load_definition(_write(tmp_path))
    assert definition.shown_url() == "${TAX_DB_URL}"
    with pytest.raises(ConfigurationError, match="connector tax-roll url: environment variable TAX_DB_URL is not set"):
        definition.database_url()
    monkeypatch.setenv("TAX_DB_URL", "postgresql+psycopg://tax:s3cret-pw@db.tax.example:5432/roll")
    assert definition.database_url() == "postgresql+psycopg://tax:s3cret-pw@db.tax.example:5432/roll"


def test_a_shown_url_never_carries_the_password(tmp_path, monkeypatch):
    monkeypatch.setenv("TAX_DB_URL", "postgresql+psycopg://tax:s3cret-pw@db.tax.example/roll")
    shown = load_definition(_write(tmp_path)).shown_url()
    assert "s3cret-pw" not in shown and shown == "postgresql+psycopg://tax:***@db.tax.example/roll"


def test_a_default_stands_in_for_a_variable_that_is_not_set(tmp_path, monkeypatch):
    monkeypatch.delenv("POST_DROP_DIR", raising=False)
    definition = load_definition(_write(tmp_path, options={"folder": "${POST_DROP_DIR:-drops/post}"}))
    assert definition.option("folder") == "drops/post"
    monkeypatch.setenv("POST_DROP_DIR", "/srv/post")
    assert definition.option("folder") == "/srv/post"


def test_a_wrong_setting_is_reported_with_its_file_and_field(tmp_path):
    path = _write(tmp_path, mode="sometimes")
    with pytest.raises(ConfigurationError, match=r"tax-roll.yaml: mode: Input should be 'incremental' or 'snapshot'"):
        load_definition(path)


def test_a_table_and_a_query_together_are_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="give table: or query:, not both"):
        load_definition(_write(tmp_path, query="SELECT * FROM taxpayer"))


def test_two_connectors_may_not_share_a_name(tmp_path):
    (tmp_path / "govbus.yaml").write_text("name: t\nagencies:\n  tax: {name: Tax Agency}\n")
    _write(tmp_path / "connectors", "a.yaml")
    _write(tmp_path / "connectors", "b.yaml")
    with pytest.raises(ConfigurationError, match="connector name 'tax-roll' is already used by"):
        load_definitions(load_project(tmp_path))
