"""Transactional outbox source: events an agency wrote to an outbox table with its own change.

The agency inserts the event (``id, subject, key, payload, created_at, sent_at``) in the same
transaction as its business change, so the event exists exactly when the change does. The
connector publishes unsent rows of its subject in id order and marks them sent once the broker
has them. Being marked sent is the durable state, so a row that commits late with a low id is
still picked up; a crash between publishing and marking re-sends that one batch.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterator

from sqlalchemy import select, update

from govbus.connectors.base import BatchOutcome, Source, SourceBatch
from govbus.connectors.definition import ConnectorDefinition
from govbus.connectors.sql_table import reflect_table
from govbus.errors import ConfigurationError
from govbus.project import Project
from govbus.settings import KafkaSettings
from govbus.store.engine import Store

COLUMNS = ("id", "subject", "key", "payload", "created_at", "sent_at")
# Ids per UPDATE: below every dialect's bound-parameter limit.
_MARK_CHUNK = 1000


class OutboxSource(Source):
    kind = "outbox"

    def __init__(self, definition: ConnectorDefinition, project: Project, settings: KafkaSettings | None = None) -> None:
        super().__init__(definition, project, settings)
        self.database = Store(definition.database_url())
        self.table_name = definition.table or "outbox"
        self.key_field = project.topic(definition.topic_name(project)).key
        self._table = None

    def batches(self, position: Any) -> Iterator[SourceBatch]:
        after = 0
        while True:
            with self.database.begin() as connection:
                outbox = self._outbox(connection)
                unsent = (
                    select(outbox.c.id, outbox.c.key, outbox.c.payload)
                    .where(outbox.c.subject == self.definition.subject, outbox.c.sent_at.is_(None), outbox.c.id > after)
                    .order_by(outbox.c.id)
                    .limit(self.definition.batch_size)
                )
                found = connection.execute(unsent).all()
            if not found:
                return
            after = found[-1].id
            ids = [row.id for row in found]
            yield SourceBatch([self._event(row) for row in found], {"last_id": after}, handle=ids, origins=[f"outbox {i}" for i in ids])

    def acknowledge(self, batch: SourceBatch, outcome: BatchOutcome) -> Any:
        ids = batch.handle
        outbox = self._table
        now = datetime.now(timezone.utc)
        with self.database.begin() as connection:
            for start in range(0, len(ids), _MARK_CHUNK):
                chunk = ids[start : start + _MARK_CHUNK]
                connection.execute(update(outbox).where(outbox.c.id.in_(chunk)).values(sent_at=now))
        return batch.position

    def _event(self, row) -> Any:
        payload = row.payload
        if isinstance(payload, (str, bytes)):
            try:
                payload = json.loads(payload)
            except json.JSONDecodeError:
                return payload  # the publisher rejects it, naming the record
        if isinstance(payload, dict) and payload.get(self.key_field) in (None, "") and row.key:
            payload = {**payload, self.key_field: row.key}
        return payload

    def _outbox(self, connection):
        if self._table is None:
            table = reflect_table(connection, self.table_name)
            missing = [name for name in COLUMNS if name not in table.c]
            if missing:
                raise ConfigurationError(
                    f"connector {self.definition.name}: outbox table {self.table_name} lacks {', '.join(missing)} "
                    f"(an outbox has {', '.join(COLUMNS)})"
                )
            self._table = table
        return self._table
