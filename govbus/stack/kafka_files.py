"""What the local broker needs on disk before it starts: Java, its jars, its config, its storage."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import shutil
import string
import subprocess
from dataclasses import dataclass
from pathlib import Path

from govbus.errors import ConfigurationError, FatalError, RetriableError
from govbus.security.principals import ADMIN, BROKER
from govbus.security.secrets_folder import MECHANISM, SecretsFolder, new_password
from govbus.settings import KafkaSettings
from govbus.stack.process import output_tail

AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"


def new_cluster_id() -> str:
    """16 random bytes, URL-safe base64 without padding: Kafka's ``Uuid`` text form."""
    while True:
        cluster_id = base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()
        # A leading dash would be read as an option by the storage tool's argument parser.
        if not cluster_id.startswith("-"):
            return cluster_id


def find_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise ConfigurationError(
            "java not found: the local broker needs Java 17 or newer "
            "(apt-get install openjdk-17-jre-headless)"
        )
    return java


def ensure_jars(pom: Path, libs_dir: Path) -> None:
    """Fetch the broker's jars with Maven into ``libs_dir`` (where ``pom`` puts them) if empty."""
    if any(libs_dir.glob("*.jar")):
        return
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ConfigurationError(
            f"the broker's jars are not in {libs_dir} and Maven, which fetches them, "
            "is missing: apt-get install maven"
        )
    fetch = subprocess.run(
        [mvn, "-q", "-B", "-f", str(pom), "package"],
        check=False,
        capture_output=True,
        text=True,
    )
    if fetch.returncode != 0:
        raise RetriableError(f"fetching the broker's jars with {pom} failed:\n{output_tail(fetch)}")
    if not any(libs_dir.glob("*.jar")):
        raise ConfigurationError(f"{pom} ran but put no jars in {libs_dir}")


def render_config(template_file: Path, config_file: Path, **values: object) -> None:
    """Fill the ``${name}`` placeholders of ``template_file`` and write ``config_file`` (mode 0600).

    The rendered file holds the broker's internal password, so only its owner may read it.
    """
    try:
        rendered = string.Template(template_file.read_text()).substitute(values)
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigurationError(f"{template_file}: cannot render the config: {exc}") from exc
    config_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(config_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(rendered)
    config_file.chmod(0o600)


def scram_credential(name: str, password: str, iterations: int = 8192) -> str:
    """A storage tool ``--add-scram`` value carrying only the salted password, never the password.

    Command lines are visible to every local user (``/proc/<pid>/cmdline``), so the salting that
    the broker would do is done here.
    """
    salt = secrets.token_bytes(24)
    salted = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    encoded = {"salt": base64.b64encode(salt).decode(), "saltedpassword": base64.b64encode(salted).decode()}
    return (
        f"SCRAM-SHA-512=[name={name},iterations={iterations},"
        f'salt="{encoded["salt"]}",saltedpassword="{encoded["saltedpassword"]}"]'
    )


def format_storage(
    java: str, libs_dir: Path, config_file: Path, cluster_id: str, scram: list[str] | None = None
) -> None:
    """Format the node's log dirs as a standalone KRaft quorum of one, with ``scram`` credentials."""
    storage_tool = [java, "-cp", f"{libs_dir}/*", "kafka.tools.StorageTool", "format"]
    storage_tool += ["--standalone", "-t", cluster_id, "-c", str(config_file)]
    for credential in scram or []:
        storage_tool += ["--add-scram", credential]
    formatted = subprocess.run(storage_tool, check=False, capture_output=True, text=True)
    if formatted.returncode != 0:
        output = formatted.stdout + formatted.stderr
        raise FatalError(f"formatting the storage of {config_file} failed:\n{output}")


@dataclass(frozen=True)
class BrokerSecurity:
    """Security on or off, as the config template, the storage format and the clients need it."""

    on: bool
    secrets: SecretsFolder

    def config_values(self) -> dict[str, str]:
        protocol = "SASL_PLAINTEXT" if self.on else "PLAINTEXT"
        # With security off the SASL settings are never read, but the template names them.
        internal = self.secrets.ensure(BROKER) if self.on else new_password()
        return {
            "client_protocol": protocol,
            "controller_protocol": protocol,
            "authorizer": AUTHORIZER if self.on else "",
            "broker_password": internal.get_secret_value(),
        }

    def format_credentials(self) -> list[str]:
        """The ``--add-scram`` values: the admin and the broker itself, salted."""
        if not self.on:
            return []
        return [scram_credential(name, self.secrets.ensure(name).get_secret_value()) for name in (ADMIN, BROKER)]

    def client_settings(self, bootstrap: str) -> KafkaSettings:
        """Settings that reach the broker: as the admin when security is on."""
        if not self.on:
            # Explicit, so that GOVBUS_KAFKA_SASL_* in the environment cannot creep in.
            return KafkaSettings(
                bootstrap_servers=bootstrap, security_protocol="PLAINTEXT", sasl_mechanism=None, sasl_username=None, sasl_password=None
            )
        return KafkaSettings(
            bootstrap_servers=bootstrap,
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism=MECHANISM,
            sasl_username=ADMIN,
            sasl_password=self.secrets.ensure(ADMIN),
        )
