"""Credentials: one SCRAM-SHA-512 identity per agency and service, and client settings that use it.

The broker is sent only a salted password (kafka-python salts it with PBKDF2 before the request
leaves), so what it stores is the SCRAM hash; the password itself stays in the secrets folder or
in the environment of the process that uses it.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from dataclasses import dataclass

from kafka.admin import ScramMechanism, UserScramCredentialDeletion, UserScramCredentialUpsertion
from pydantic import SecretStr

from govbus.bus import clients
from govbus.errors import ConfigurationError, FatalError
from govbus.project import Project
from govbus.security.principals import ADMIN, check_principal
from govbus.security.secrets_folder import MECHANISM, SecretsFolder, new_password
from govbus.settings import KafkaSettings

ITERATIONS = 8192
_PASSWORD_ENV = "GOVBUS_KAFKA_SASL_PASSWORD"
_USERNAME_ENV = "GOVBUS_KAFKA_SASL_USERNAME"
_PROTOCOL_ENV = "GOVBUS_KAFKA_SECURITY_PROTOCOL"


def secrets_folder(project: Project) -> SecretsFolder:
    return SecretsFolder(project.state_dir / "secrets")


@dataclass(frozen=True)
class Issued:
    """What ``issue`` did: the password is shown once if it was not kept in the secrets folder."""

    principal: str
    rotated: bool
    kept_in: str | None
    password: SecretStr


def register(principal: str, password: SecretStr, admin_settings: KafkaSettings) -> None:
    """Create or replace the principal's SCRAM credential on the broker."""
    upsertion = UserScramCredentialUpsertion(
        principal, ScramMechanism.SCRAM_SHA_512, password.get_secret_value(), iterations=ITERATIONS
    )
    _alter(principal, upsertion, admin_settings)


def revoke(principal: str, admin_settings: KafkaSettings) -> None:
    """Delete the principal's SCRAM credential: its clients can no longer authenticate."""
    _alter(principal, UserScramCredentialDeletion(principal, ScramMechanism.SCRAM_SHA_512), admin_settings)


def registered(admin_settings: KafkaSettings) -> set[str]:
    """The names the broker holds a SCRAM-SHA-512 credential for."""
    admin = clients.admin(admin_settings)
    try:
        with clients.broker_faults("describing SCRAM credentials"):
            described = admin.describe_user_scram_credentials()
    finally:
        admin.close()
    return {
        name
        for name, entry in described.items()
        if any(info["mechanism"] is ScramMechanism.SCRAM_SHA_512 for info in entry["credential_infos"])
    }


def issue(
    project: Project, name: str, admin_settings: KafkaSettings, *, rotate: bool = False, keep: bool = True
) -> Issued:
    """Give ``name`` a password (a new one if ``rotate`` or none is kept) and register it on the broker."""
    check_principal(project, name)
    folder = secrets_folder(project)
    password = None if rotate or not keep else folder.get(name)
    rotated = password is None
    password = password or new_password()
    register(name, password, admin_settings)
    kept_in = str(folder.put(name, password)) if keep else None
    return Issued(name, rotated, kept_in, password)


def settings_for(project: Project, name: str, base: KafkaSettings | None = None) -> KafkaSettings:
    """Client settings that authenticate as ``name``: its password from the secrets folder, else
    from ``GOVBUS_KAFKA_SASL_PASSWORD`` when ``GOVBUS_KAFKA_SASL_USERNAME`` names it.

    ``base`` gives the bootstrap servers and timeouts (default: ``KafkaSettings()``).
    """
    base = base or KafkaSettings()
    password = secrets_folder(project).get(name)
    if password is None and os.environ.get(_USERNAME_ENV) == name and os.environ.get(_PASSWORD_ENV):
        password = SecretStr(os.environ[_PASSWORD_ENV])
    if password is None:
        raise ConfigurationError(
            f"no credentials for {name!r}: run `govbus agencies add {name}`, or set "
            f"{_USERNAME_ENV}={name} and {_PASSWORD_ENV}"
        )
    protocol = "SASL_SSL" if base.security_protocol in ("SSL", "SASL_SSL") else "SASL_PLAINTEXT"
    return base.model_copy(
        update={
            "security_protocol": protocol,
            "sasl_mechanism": MECHANISM,
            "sasl_username": name,
            "sasl_password": password,
            "client_id": f"govbus-{name}",
        }
    )


def service_settings(project: Project, name: str) -> KafkaSettings:
    """Settings as the service ``name``, its password made and kept on first use.

    A service runs where ``govbus up`` runs, so its identity needs no one to hand it over; the
    broker learns it from ``govbus.security.bootstrap.secure_bus`` once the broker answers.
    """
    secrets_folder(project).ensure(check_principal(project, name))
    return settings_for(project, name)


def settings_as(project: Project, name: str) -> KafkaSettings:
    """``settings_for(project, name)`` where credentials for ``name`` exist, else ``KafkaSettings()``
    as the environment gives them (a broker with security off, or another identity set there)."""
    try:
        return settings_for(project, name)
    except ConfigurationError:
        return KafkaSettings()


def acting_as(project: Project, name: str) -> KafkaSettings:
    """The environment's settings, switched to ``name``'s identity when they authenticate and its
    password is kept: a service such as the reconciler runs inside processes (Airflow's) whose
    environment authenticates as someone else, and must write with the grants of its own role."""
    settings = KafkaSettings()
    return settings if settings.sasl_mechanism is None else settings_as(project, name)


def adopt_credentials(project: Project, environ: MutableMapping[str, str] = os.environ) -> str | None:
    """Let every ``KafkaSettings()`` of this process authenticate from the secrets folder.

    Only when the environment names neither a SASL user nor a security protocol (one who sets
    ``GOVBUS_KAFKA_SECURITY_PROTOCOL=PLAINTEXT`` means a broker without security): then it acts as
    ``GOVBUS_PRINCIPAL`` (default the admin ``govbus up`` made) if the secrets folder holds that
    password. Returns whom it acts as.
    """
    name = environ.get("GOVBUS_PRINCIPAL", ADMIN)
    if environ.get(_USERNAME_ENV) or environ.get(_PROTOCOL_ENV) or secrets_folder(project).get(name) is None:
        return None
    settings = settings_for(project, name, KafkaSettings())
    environ.update(
        {
            _PROTOCOL_ENV: settings.security_protocol,
            "GOVBUS_KAFKA_SASL_MECHANISM": MECHANISM,
            _USERNAME_ENV: name,
            _PASSWORD_ENV: settings.sasl_password.get_secret_value(),
        }
    )
    return name


def _alter(principal: str, alteration: object, admin_settings: KafkaSettings) -> None:
    admin = clients.admin(admin_settings)
    try:
        with clients.broker_faults(f"changing the credential of {principal!r}"):
            errors = admin.alter_user_scram_credentials([alteration])
    finally:
        admin.close()
    if errors.get(principal):
        raise FatalError(f"the broker refused the credential change for {principal!r}: {errors[principal]}")
