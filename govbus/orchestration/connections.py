"""How Airflow's processes reach the bus and the store: environment variables, one source of truth.

Tasks build ``KafkaSettings`` from ``GOVBUS_KAFKA_*`` like every other client; the Kafka
provider's trigger reads an Airflow connection, which is derived here from the same settings so
the two can never point at different brokers.
"""

from __future__ import annotations

import json

from govbus.orchestration.names import KAFKA_CONNECTION, WATCH_TOPICS_VARIABLE, topics_pattern
from govbus.project import Project
from govbus.settings import KafkaSettings

# The watcher's consumer group: apart from landing's, whose positions live in the store.
WATCH_GROUP = "govbus.airflow.watch"
# A topic created after the watcher subscribed is seen within this many milliseconds.
TOPIC_REFRESH_MS = 10_000


def kafka_connection(settings: KafkaSettings, group_id: str = WATCH_GROUP) -> dict:
    """The ``kafka`` connection for confluent-kafka, as the provider's hooks read it."""
    extra: dict = {
        "bootstrap.servers": settings.bootstrap_servers,
        "security.protocol": settings.security_protocol,
        "client.id": f"{settings.client_id}-watch",
        "group.id": group_id,
        "auto.offset.reset": "earliest",
        # The trigger commits each message it has looked at itself.
        "enable.auto.commit": False,
        "topic.metadata.refresh.interval.ms": TOPIC_REFRESH_MS,
    }
    if settings.sasl_mechanism:
        extra["sasl.mechanism"] = settings.sasl_mechanism
        extra["sasl.username"] = settings.sasl_username
        extra["sasl.password"] = settings.sasl_password.get_secret_value() if settings.sasl_password else None
    return {"conn_type": "kafka", "extra": extra}


def govbus_environment(project: Project, store_url: str, kafka: KafkaSettings) -> dict[str, str]:
    """What Airflow's processes need to reach govbus: project, store, broker, the watched topics."""
    env = {
        "GOVBUS_PROJECT": str(project.root),
        "GOVBUS_STORE_URL": store_url,
        WATCH_TOPICS_VARIABLE: topics_pattern(project.topics),
    }
    for name, value in kafka.model_dump().items():
        if value is not None:
            secret = getattr(value, "get_secret_value", None)
            env[f"GOVBUS_KAFKA_{name.upper()}"] = str(secret() if secret else value)
    env[f"AIRFLOW_CONN_{KAFKA_CONNECTION.upper()}"] = json.dumps(kafka_connection(kafka))
    return env
