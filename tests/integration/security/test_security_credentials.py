"""Authentication on the secured broker: one credential per agency, kept hashed, refused when wrong."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from govbus.errors import ConfigurationError
from govbus.security.credentials import registered, secrets_folder, settings_for
from govbus.security.login import check_login


def files_containing(folder: Path, needle: bytes) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and needle in path.read_bytes()]


def test_agencies_add_gives_a_credential_the_broker_accepts_and_keeps_only_hashed(
    secure_broker, secure_environment, demo_project, govbus_cli
):
    project = demo_project()
    result = govbus_cli("--project", project.root, "agencies", "add", "tax", "--json")
    assert result.exit_code == 0, result.output
    kept = Path(json.loads(result.stdout)["kept_in"])
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    password = secrets_folder(project).get("tax").get_secret_value()
    assert password not in result.output
    assert "tax" in registered(secure_environment)
    assert check_login(settings_for(project, "tax", secure_environment)).outcome == "accepted"
    # The broker's storage and logs hold the salted hash, never the password itself.
    assert files_containing(secure_broker.home, password.encode()) == []


def test_a_wrong_password_an_unknown_name_and_no_authentication_are_all_refused(secure_environment, demo_project, govbus_cli):
    project = demo_project()
    assert govbus_cli("--project", project.root, "agencies", "add", "social").exit_code == 0
    social = settings_for(project, "social", secure_environment)
    wrong = social.model_copy(update={"sasl_password": SecretStr("not-the-password")})
    stranger = social.model_copy(update={"sasl_username": "mallory"})
    anonymous = secure_environment.model_copy(update={"security_protocol": "PLAINTEXT", "sasl_mechanism": None})
    assert check_login(wrong, timeout_ms=5000).outcome == "refused"
    assert check_login(stranger, timeout_ms=5000).outcome == "refused"
    assert check_login(anonymous, timeout_ms=5000).outcome != "accepted"


def test_rotating_shuts_out_the_old_password_and_revoking_shuts_out_the_agency(secure_environment, demo_project, govbus_cli):
    project = demo_project()
    assert govbus_cli("--project", project.root, "agencies", "add", "post").exit_code == 0
    old = settings_for(project, "post", secure_environment)
    assert govbus_cli("--project", project.root, "agencies", "add", "post", "--rotate").exit_code == 0
    new = settings_for(project, "post", secure_environment)
    assert new.sasl_password.get_secret_value() != old.sasl_password.get_secret_value()
    assert check_login(old, timeout_ms=5000).outcome == "refused"
    assert check_login(new).outcome == "accepted"
    assert govbus_cli("--project", project.root, "agencies", "check", "post").exit_code == 0
    assert govbus_cli("--project", project.root, "agencies", "revoke", "post").exit_code == 0
    assert check_login(new, timeout_ms=5000).outcome == "refused"
    assert not secrets_folder(project).path("post").exists()


def test_print_once_shows_the_password_and_keeps_it_nowhere(secure_environment, demo_project, govbus_cli):
    project = demo_project()
    result = govbus_cli("--project", project.root, "agencies", "add", "migration", "--print-once")
    assert result.exit_code == 0, result.output
    password = result.stdout.strip().splitlines()[-1]
    assert secrets_folder(project).get("migration") is None
    given = secure_environment.model_copy(
        update={"sasl_username": "migration", "sasl_password": SecretStr(password)}
    )
    assert check_login(given).outcome == "accepted"


def test_settings_for_an_agency_come_from_the_environment_when_nothing_is_kept(monkeypatch, demo_project):
    project = demo_project()
    monkeypatch.setenv("GOVBUS_KAFKA_SASL_USERNAME", "municipality")
    monkeypatch.setenv("GOVBUS_KAFKA_SASL_PASSWORD", "from-the-vault")
    settings = settings_for(project, "municipality")
    assert (settings.sasl_username, settings.sasl_password.get_secret_value()) == ("municipality", "from-the-vault")
    assert settings.security_protocol == "SASL_PLAINTEXT" and settings.sasl_mechanism == "SCRAM-SHA-512"
    with pytest.raises(ConfigurationError, match="govbus agencies add tax"):
        settings_for(project, "tax")


def test_only_agencies_and_services_get_credentials(secure_environment, demo_project, govbus_cli):
    project = demo_project()
    result = govbus_cli("--project", project.root, "agencies", "add", "mallory")
    assert result.exit_code != 0
    assert "unknown principal 'mallory'" in str(result.exception) and "reconciler" in str(result.exception)
    assert govbus_cli("--project", project.root, "agencies", "add", "broker").exit_code != 0
