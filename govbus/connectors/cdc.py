"""Change data capture: Debezium's change events for an agency table, turned into its subject.

Debezium's PostgreSQL connector runs on the local Kafka Connect worker (``govbus up`` starts it
when a ``kind: cdc`` definition exists) and writes every insert and update of the table to a
change topic, as JSON without schemas. This source reads that topic from the offsets it stored,
maps each row image (``after``) to the subject and publishes it through the SDK like any other
source. Deletes and tombstones carry no row to publish and are passed over.

The database needs ``wal_level = logical``, and the connector's user the REPLICATION attribute
and ownership of the table (to create the publication).
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

from kafka.structs import TopicPartition
from sqlalchemy.engine import make_url

from govbus.bus import clients
from govbus.connectors.base import Source, SourceBatch
from govbus.connectors.definition import ConnectorDefinition, variables_in
from govbus.errors import ConfigurationError, RetriableError
from govbus.project import Project
from govbus.settings import KafkaSettings

ROW_OPERATIONS = {"c", "r", "u"}  # create, read (initial snapshot), update


def change_topic(definition: ConnectorDefinition) -> str:
    """Where Debezium writes the table's changes: ``<prefix>.<schema>.<table>``."""
    return f"govbus.cdc.{definition.name}.{qualified_table(definition)}"


def qualified_table(definition: ConnectorDefinition) -> str:
    if not definition.table:
        raise ConfigurationError(f"connector {definition.name}: a cdc source needs table: (schema.table)")
    return definition.table if "." in definition.table else f"public.{definition.table}"


def password_variable(definition: ConnectorDefinition) -> str:
    """The variable through which the Connect worker gets the database password.

    It is named after the URL's own variable (``${SOCIAL_DB_URL}`` gives
    ``GOVBUS_CDC_PASSWORD_SOCIAL_DB_URL``), so connectors on one database share it.
    """
    source = (variables_in(definition.url) or [definition.name])[0]
    return "GOVBUS_CDC_PASSWORD_" + re.sub(r"[^A-Z0-9]", "_", source.upper())


def debezium_config(definition: ConnectorDefinition) -> dict[str, str]:
    """The Debezium PostgreSQL connector's settings; the password stays in the environment."""
    url = make_url(definition.database_url())
    if url.get_backend_name() != "postgresql":
        raise ConfigurationError(f"connector {definition.name}: cdc runs on PostgreSQL, not {url.get_backend_name()}")
    slot = "govbus_" + re.sub(r"[^a-z0-9_]", "_", definition.name.lower())
    return {
        "name": definition.name,
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "tasks.max": "1",
        "plugin.name": "pgoutput",
        "database.hostname": url.host or "127.0.0.1",
        "database.port": str(url.port or 5432),
        "database.user": url.username or "",
        "database.password": f"${{env:{password_variable(definition)}}}",
        "database.dbname": url.database or "",
        "topic.prefix": f"govbus.cdc.{definition.name}",
        "table.include.list": qualified_table(definition),
        "slot.name": slot,
        "publication.name": slot,
        "publication.autocreate.mode": "filtered",
        # The rows already in the table are sent first, as "r" (read) events.
        "snapshot.mode": "initial",
        "decimal.handling.mode": "string",
        "topic.creation.default.replication.factor": "1",
        "topic.creation.default.partitions": "1",
    }


class DebeziumSource(Source):
    kind = "cdc"

    def __init__(self, definition: ConnectorDefinition, project: Project, settings: KafkaSettings | None = None) -> None:
        super().__init__(definition, project, settings)
        self.topic = change_topic(definition)
        self._consumer = None

    def batches(self, position: Any) -> Iterator[SourceBatch]:
        """Change events from the stored offsets up to the end of the topic as the run began."""
        consumer = self._consumer = clients.consumer(
            self.settings, group_id=None, enable_auto_commit=False, max_poll_records=self.definition.batch_size
        )
        with clients.broker_faults(f"reading {self.topic}"):
            partitions = consumer.partitions_for_topic(self.topic)
            if not partitions:
                raise RetriableError(
                    f"connector {self.definition.name}: change topic {self.topic} does not exist yet; "
                    "is Kafka Connect running its Debezium connector? (`govbus up` starts it)"
                )
            assigned = [TopicPartition(self.topic, p) for p in sorted(partitions)]
            consumer.assign(assigned)
            stored = (position or {}).get("offsets", {})
            for tp in assigned:
                if str(tp.partition) in stored:
                    consumer.seek(tp, stored[str(tp.partition)])
                else:
                    consumer.seek_to_beginning(tp)
            ends = consumer.end_offsets(assigned)
            offsets = {tp.partition: consumer.position(tp) for tp in assigned}
        while any(offsets[tp.partition] < ends[tp] for tp in assigned):
            with clients.broker_faults(f"reading {self.topic}"):
                polled = consumer.poll(timeout_ms=1000, max_records=self.definition.batch_size)
            rows, origins = [], []
            for tp, messages in polled.items():
                for message in messages:
                    offsets[tp.partition] = message.offset + 1
                    row = _row_image(message.value)
                    if row is not None:
                        rows.append(row)
                        origins.append(f"{tp.topic} {tp.partition} {message.offset}")
            if polled:
                yield SourceBatch(rows, {"offsets": {str(p): o for p, o in offsets.items()}}, origins=origins)

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()


def _row_image(value: bytes | None) -> dict[str, Any] | None:
    """The row after an insert, update or snapshot read; ``None`` for deletes and tombstones."""
    if value is None:
        return None
    change = json.loads(value)
    if change.get("op") not in ROW_OPERATIONS:
        return None
    return change.get("after")
