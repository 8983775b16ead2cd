"""Settings, one pydantic-settings model per concern, each with its own env prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    """How clients reach the broker. ``GOVBUS_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092`` and so on."""

    model_config = SettingsConfigDict(env_prefix="GOVBUS_KAFKA_", extra="ignore")

    bootstrap_servers: str = "127.0.0.1:9092"
    security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    client_id: str = "govbus"
    request_timeout_ms: int = 30_000

    def client_config(self) -> dict:
        """Keyword arguments shared by every kafka-python client."""
        config: dict = {
            "bootstrap_servers": self.bootstrap_servers.split(","),
            "security_protocol": self.security_protocol,
            "client_id": self.client_id,
            "request_timeout_ms": self.request_timeout_ms,
        }
        if self.sasl_mechanism:
            config["sasl_mechanism"] = self.sasl_mechanism
            config["sasl_plain_username"] = self.sasl_username
            config["sasl_plain_password"] = (
                self.sasl_password.get_secret_value() if self.sasl_password else None
            )
        return config

    def __str__(self) -> str:
        user = f" as {self.sasl_username}" if self.sasl_username else ""
        return f"{self.security_protocol}://{self.bootstrap_servers}{user} (password: **********)"


class ProjectSettings(BaseSettings):
    """Where the deployment's declarative assets live. ``GOVBUS_PROJECT=/srv/govbus-country``."""

    model_config = SettingsConfigDict(env_prefix="GOVBUS_", extra="ignore")

    project: Path = Field(default_factory=Path.cwd)
