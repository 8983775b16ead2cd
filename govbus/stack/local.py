"""The local stack of ``govbus up``: its settings and the services it is made of."""

from __future__ import annotations

import re

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from govbus.errors import ConfigurationError
from govbus.project import Project
from govbus.stack.kafka import LocalBroker

_HEAP = re.compile(r"^(\d+)([mg])$")


class LocalStackSettings(BaseSettings):
    """Ports and sizes of the local stack. ``GOVBUS_STACK_KAFKA_PORT=19092`` and so on."""

    model_config = SettingsConfigDict(env_prefix="GOVBUS_STACK_", extra="ignore")

    # 9092 is what KafkaSettings reaches by default; change both together.
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    kafka_heap: str = "512m"

    @field_validator("kafka_heap")
    @classmethod
    def _heap_fits_the_initial_size(cls, value: str) -> str:
        match = _HEAP.match(value.strip().lower())
        if not match:
            raise ValueError(f"kafka_heap {value!r} must look like 512m or 1g")
        megabytes = int(match.group(1)) * (1024 if match.group(2) == "g" else 1)
        if megabytes < 256:
            raise ValueError(f"kafka_heap {value!r} is below the broker's initial heap of 256m")
        return value.strip().lower()


def local_services(
    project: Project, settings: LocalStackSettings | None = None
) -> list[LocalBroker]:
    """The services of the local stack, in start order (``down`` stops them in reverse)."""
    if settings is None:
        try:
            settings = LocalStackSettings()
        except ValidationError as exc:
            problems = "; ".join(
                f"GOVBUS_STACK_{str(error['loc'][0]).upper()}: "
                + error["msg"].removeprefix("Value error, ")
                for error in exc.errors()
            )
            raise ConfigurationError(problems) from exc
    return [
        LocalBroker(
            project.root,
            project.state_dir,
            port=settings.kafka_port,
            controller_port=settings.kafka_controller_port,
            heap=settings.kafka_heap,
        )
    ]
