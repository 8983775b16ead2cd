"""Names the DAG files share with the engine. Importing this module costs nothing at parse time."""

from __future__ import annotations

import os
from collections.abc import Iterable

# The Airflow connection the bus watcher's trigger reads (AIRFLOW_CONN_GOVBUS_KAFKA).
KAFKA_CONNECTION = "govbus_kafka"
# The watcher's apply_function, by import path as the Kafka provider wants it.
UNLANDED_EVENT = "govbus.orchestration.triggers.unlanded_event"
# Landing adds an Asset per landed table through this alias; reconciliation is scheduled on it.
LANDED_TABLES = "govbus_landed_tables"
# Set by the local stack to the project's topics; without it the watcher reads every topic
# but Kafka's internal ones, and its apply_function passes over those not in the project.
WATCH_TOPICS_VARIABLE = "GOVBUS_WATCH_TOPICS"
EVERY_TOPIC = r"^[^_].*"


def watched_topics() -> str:
    """The bus watcher's subscription pattern (a regex, as librdkafka takes it after ``^``)."""
    return os.environ.get(WATCH_TOPICS_VARIABLE) or EVERY_TOPIC


def topics_pattern(topics: Iterable[str]) -> str:
    """A subscription pattern for exactly ``topics``, leaving out their dead-letter twins."""
    return "^(" + "|".join(sorted(topic.replace(".", r"\.") for topic in topics)) + ")$"


def landed_table_uri(table: str) -> str:
    """``govbus://store/land_population_person_registered``: the Asset of one landed table."""
    return f"govbus://store/{table}"
