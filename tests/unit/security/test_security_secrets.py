"""The secrets folder, the salted SCRAM credentials of the storage format, the rendered broker config."""

from __future__ import annotations

import base64
import hashlib
import re
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from govbus.errors import ConfigurationError
from govbus.security.credentials import adopt_credentials
from govbus.security.secrets_folder import SecretsFolder
from govbus.settings import KafkaSettings
from govbus.stack.kafka_files import BrokerSecurity, render_config, scram_credential

REPO = Path(__file__).resolve().parents[3]


def test_a_kept_password_is_readable_by_its_owner_only(tmp_path):
    folder = SecretsFolder(tmp_path / "secrets")
    password = folder.ensure("tax")
    path = folder.path("tax")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert folder.ensure("tax").get_secret_value() == password.get_secret_value()
    assert len(password.get_secret_value()) >= 40


def test_a_secret_file_others_can_read_is_refused(tmp_path):
    folder = SecretsFolder(tmp_path)
    folder.put("post", SecretStr("s3cret"))
    folder.path("post").chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        folder.get("post")


def test_settings_never_show_the_password():
    settings = KafkaSettings(sasl_mechanism="SCRAM-SHA-512", sasl_username="tax", sasl_password=SecretStr("hunter2-long"))
    assert "hunter2" not in str(settings) and "hunter2" not in repr(settings)


def test_the_format_credential_carries_the_salted_password_never_the_password():
    credential = scram_credential("admin", "correct horse battery staple", iterations=4096)
    assert "correct horse" not in credential
    fields = dict(re.findall(r'(\w+)="?([^",\]]+)"?', credential.split("=[", 1)[1]))
    salt = base64.b64decode(fields["salt"])
    expected = hashlib.pbkdf2_hmac("sha512", b"correct horse battery staple", salt, 4096)
    assert base64.b64decode(fields["saltedpassword"]) == expected
    assert fields["name"] == "admin" and fields["iterations"] == "4096"


@pytest.mark.parametrize("secure", [True, False])
def test_the_rendered_broker_config_is_private_and_enforces_acls_only_when_secure(tmp_path, secure):
    config = tmp_path / "server.properties"
    security = BrokerSecurity(secure, SecretsFolder(tmp_path / "secrets"))
    protocol = "SASL_PLAINTEXT" if secure else "PLAINTEXT"
    authorizer = "org.apache.kafka.metadata.authorizer.StandardAuthorizer" if secure else ""
    render_config(
        REPO / "infra" / "kafka" / "server.properties", config, port=1, controller_port=2, data_dir=tmp_path, **security.config_values()
    )
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    # The storage gets the admin and the broker's own credential, salted, only with security on.
    assert [c.split(",")[0] for c in security.format_credentials()] == (["SCRAM-SHA-512=[name=admin", "SCRAM-SHA-512=[name=broker"] if secure else [])
    assert security.client_settings("127.0.0.1:1").sasl_username == ("admin" if secure else None)
    properties = dict(line.split("=", 1) for line in config.read_text().splitlines() if line and not line.startswith("#"))
    assert properties["listener.security.protocol.map"] == f"CLIENT:{protocol},CONTROLLER:{protocol}"
    assert properties["authorizer.class.name"] == authorizer
    assert properties["allow.everyone.if.no.acl.found"] == "false"
    assert properties["super.users"] == "User:admin;User:broker"


def test_commands_adopt_the_admin_kept_by_govbus_up_unless_the_environment_names_a_user(tmp_path):
    project = type("Project", (), {"state_dir": tmp_path})()
    SecretsFolder(tmp_path / "secrets").put("admin", SecretStr("kept-by-govbus-up"))
    environ = {"GOVBUS_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:19092"}
    assert adopt_credentials(project, environ) == "admin"
    assert environ["GOVBUS_KAFKA_SASL_PASSWORD"] == "kept-by-govbus-up"
    assert environ["GOVBUS_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
    theirs = {"GOVBUS_KAFKA_SASL_USERNAME": "tax", "GOVBUS_KAFKA_SASL_PASSWORD": "from-the-vault"}
    assert adopt_credentials(project, theirs) is None and theirs["GOVBUS_KAFKA_SASL_USERNAME"] == "tax"
    assert adopt_credentials(project, {"GOVBUS_PRINCIPAL": "steward"}) is None  # nothing kept for it
    assert adopt_credentials(project, {"GOVBUS_KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"}) is None  # a broker without security
