"""The local stack of ``govbus up``: its settings and the services it is made of."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from govbus.errors import ConfigurationError
from govbus.project import Project
from govbus.security.bootstrap import secure_bus
from govbus.security.credentials import service_settings, settings_as
from govbus.stack.airflow import AIRFLOW_PRINCIPAL, AirflowComponent, LocalAirflow
from govbus.stack.connect import LocalConnect, connect_service
from govbus.stack.kafka import LocalBroker
from govbus.stack.process import ServiceStatus
from govbus.store.settings import StoreSettings

_HEAP = re.compile(r"^(\d+)([mg])$")
# The groups of services, in start order: a name in --only or GOVBUS_STACK_SERVICES picks one.
GROUPS = ("kafka", "airflow", "connect")
# What `govbus up` starts unless told otherwise; Kafka Connect (for `kind: cdc` connectors) is
# optional: `govbus up --with connect`, or GOVBUS_STACK_SERVICES=kafka,airflow,connect.
DEFAULT_GROUPS = ("kafka", "airflow")



class ProjectBroker(LocalBroker):
    """The stack's broker; with security on, ``up`` also registers the project's identities and ACLs."""

    def __init__(self, project: Project, **options) -> None:
        super().__init__(project.root, project.state_dir, **options)
        self.project = project

    def up(self, timeout: float = 60.0) -> ServiceStatus:
        status = super().up(timeout)
        if self.security and status.answering:
            status.notes += secure_bus(self.project, self.client_settings())
        return status


LocalService = ProjectBroker | AirflowComponent | LocalConnect


class LocalStackSettings(BaseSettings):
    """Ports and sizes of the local stack. ``GOVBUS_STACK_KAFKA_PORT=19092`` and so on."""

    model_config = SettingsConfigDict(env_prefix="GOVBUS_STACK_", extra="ignore")

    # 9092 is what KafkaSettings reaches by default; change both together.
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    kafka_heap: str = "512m"
    # SASL/SCRAM-SHA-512 and ACLs from the contracts (see govbus.stack.kafka). CLI commands act as
    # the admin kept in the secrets folder, the services as themselves; false turns it off.
    kafka_security: bool = True
    airflow_port: int = 8080
    # Task slots of the LocalExecutor; each is a worker process kept alive.
    airflow_parallelism: int = 4
    # Airflow's own metadata; SQLite in the state dir unless set (a PostgreSQL URL, say).
    airflow_database_url: str | None = None
    # What a plain `govbus up` starts: GOVBUS_STACK_SERVICES=kafka keeps it to the broker.
    services: str = ",".join(DEFAULT_GROUPS)
    # The Kafka Connect worker's REST port (with connect among the services).
    connect_port: int = 8083

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

    @field_validator("services")
    @classmethod
    def _known_services(cls, value: str) -> str:
        try:
            check_groups(value.split(","))
        except ConfigurationError as exc:
            raise ValueError(str(exc)) from exc
        return value

    @property
    def started_groups(self) -> list[str]:
        return [name.strip() for name in self.services.split(",") if name.strip()]


def check_groups(names: Sequence[str]) -> list[str]:
    """``names`` cleaned up, or an error naming the unknown one and the known ones."""
    cleaned = [name.strip() for name in names if name.strip()]
    for name in cleaned:
        if name not in GROUPS:
            raise ConfigurationError(f"unknown service {name!r} (known: {', '.join(GROUPS)})")
    return cleaned


def stack_settings() -> LocalStackSettings:
    """The settings from the environment, with each bad one named by its variable."""
    try:
        return LocalStackSettings()
    except ValidationError as exc:
        problems = "; ".join(
            f"GOVBUS_STACK_{str(error['loc'][0]).upper()}: " + error["msg"].removeprefix("Value error, ")
            for error in exc.errors()
        )
        raise ConfigurationError(problems) from exc


def local_services(
    project: Project, settings: LocalStackSettings | None = None, *, only: Sequence[str] | None = None
) -> list[LocalService]:
    """The services of the local stack, in start order (``down`` stops them in reverse).

    ``only`` names groups (``kafka``, ``airflow``, ``connect``); by default every service is
    listed. Connect is listed only when a connector in ``connectors/`` is ``kind: cdc``.
    """
    settings = settings or stack_settings()
    chosen = set(check_groups(only)) if only else set(GROUPS)
    services: list[LocalService] = []
    if "kafka" in chosen:
        services.append(
            ProjectBroker(
                project,
                port=settings.kafka_port,
                controller_port=settings.kafka_controller_port,
                heap=settings.kafka_heap,
                security=settings.kafka_security,
            )
        )
    if "airflow" in chosen:
        airflow = LocalAirflow(
            project,
            store_url=StoreSettings().resolved_url(project.state_dir),
            # Airflow lands as the `airflow` principal; with security off, as the environment says.
            kafka=service_settings(project, AIRFLOW_PRINCIPAL) if settings.kafka_security else settings_as(project, AIRFLOW_PRINCIPAL),
            port=settings.airflow_port,
            parallelism=settings.airflow_parallelism,
            database_url=settings.airflow_database_url,
        )
        services.extend(airflow.components)
    if "connect" in chosen:
        worker = connect_service(project, f"127.0.0.1:{settings.kafka_port}", port=settings.connect_port)
        services += [worker] if worker else []
    return services
