"""Consuming: decode events to the reader's schema version, dead-letter what cannot be read.

Offsets are committed by hand, after the caller has processed a batch, so a crash replays
rather than loses. A bad message never stops the consumer: it is dead-lettered and counted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import TopicAuthorizationFailedError
from kafka.structs import OffsetAndMetadata, TopicPartition

from govbus import codec
from govbus.bus import clients
from govbus.bus.dead_letter import DeadLetter, dead_letter_topic
from govbus.bus.headers import headers_dict
from govbus.errors import AccessRefused, ConfigurationError, SchemaViolation
from govbus.project import Project
from govbus.schemas.version import SchemaVersion
from govbus.settings import KafkaSettings


@dataclass(frozen=True)
class Event:
    topic: str
    partition: int
    offset: int
    key: str | None
    record: dict[str, Any]
    headers: dict[str, str]
    writer: SchemaVersion
    timestamp_ms: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "key": self.key,
            "schema_version": self.writer.version,
            "headers": self.headers,
            "record": self.record,
        }


Undecodable = Callable[[ConsumerRecord, SchemaViolation], None]


class Subscriber:
    """Reads a project's topics. With a ``group_id`` it resumes from the group's committed offsets.

    Without one it reads every partition: from ``positions`` where given (offsets kept outside
    Kafka, such as the store's, beside the rows they produced), else from the beginning or the end.
    """

    def __init__(
        self,
        project: Project,
        topics: list[str],
        *,
        group_id: str | None,
        settings: KafkaSettings | None = None,
        reader_versions: dict[str, int] | None = None,
        from_beginning: bool = True,
        on_undecodable: Undecodable | None = None,
        max_poll_records: int = 2000,
        positions: Mapping[TopicPartition, int] | None = None,
    ) -> None:
        if group_id and positions:
            raise ConfigurationError("a subscriber resumes from its group's offsets or from positions, not both")
        self.project = project
        self.settings = settings or KafkaSettings()
        self.topics = {name: project.topic(name) for name in topics}
        self.readers = {
            name: project.registry.get(topic.subject, (reader_versions or {}).get(name))
            for name, topic in self.topics.items()
        }
        self.on_undecodable = on_undecodable or self.dead_letter
        self.consumed = 0
        self.dead_lettered = 0
        self._dlq_producer = None
        self._processed: dict[TopicPartition, int] = {}
        self._consumer = clients.consumer(
            self.settings,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest" if from_beginning else "latest",
            max_poll_records=max_poll_records,
        )
        try:
            self._check_readable(topics)
            with clients.broker_faults(f"subscribing to {', '.join(topics)}", self.settings):
                if group_id:
                    self._consumer.subscribe(topics)
                else:
                    self._assign_all(topics, from_beginning, positions or {})
        except BaseException:
            # A refused subscriber is never returned, so nothing else would close its consumer.
            self._consumer.close()
            raise

    def _check_readable(self, topics: list[str]) -> None:
        """Refuse a topic the principal may not read: the broker hides it, and it would read as empty."""
        with clients.broker_faults("listing the topics it may see", self.settings):
            hidden = sorted(set(topics) - self._consumer.topics())
        if not hidden:
            return
        admin = clients.admin(self.settings)
        try:
            with clients.broker_faults(f"describing {', '.join(hidden)}", self.settings):
                described = admin.describe_topics(hidden)
        finally:
            admin.close()
        # A topic that does not exist yet reads as empty; one the broker will not describe is refused.
        refused = [topic["name"] for topic in described if topic["error_code"] == TopicAuthorizationFailedError.errno]
        if refused:
            who = self.settings.sasl_username
            raise AccessRefused(
                f"{who!r} may not read {', '.join(refused)}: no agreement in force names it as a consumer "
                f"(see `govbus access list --principal {who}`)",
                principal=who,
                resource=refused[0],
            )

    def assignment(self) -> set[TopicPartition]:
        """The partitions this subscriber reads now (empty while it is still joining its group)."""
        return self._consumer.assignment()

    def _assign_all(self, topics: list[str], from_beginning: bool, positions: Mapping[TopicPartition, int]) -> None:
        partitions = [
            TopicPartition(topic, p) for topic in topics for p in sorted(self._consumer.partitions_for_topic(topic) or [])
        ]
        self._consumer.assign(partitions)
        unknown = [tp for tp in partitions if tp not in positions]
        # With no arguments seek_to_* would move every assigned partition, the positioned ones too.
        if unknown:
            (self._consumer.seek_to_beginning if from_beginning else self._consumer.seek_to_end)(*unknown)
        for tp in partitions:
            if tp in positions:
                self._consumer.seek(tp, positions[tp])

    def poll(self, timeout_ms: int = 1000, max_records: int | None = None) -> list[Event]:
        """One batch of decoded events; undecodable messages are handed to ``on_undecodable``."""
        with clients.broker_faults("polling", self.settings):
            batches = self._consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
        events = []
        for tp, messages in batches.items():
            for message in messages:
                self.consumed += 1
                try:
                    events.append(self._decode(message))
                except SchemaViolation as exc:
                    self.on_undecodable(message, exc)
                self._processed[tp] = message.offset + 1
        return events

    def lag(self) -> int:
        """How many messages on the assigned partitions are not read yet (asks the broker)."""
        with clients.broker_faults("reading end offsets", self.settings):
            partitions = list(self.assignment())
            ends = self._consumer.end_offsets(partitions) if partitions else {}
            return sum(max(0, ends[tp] - self._consumer.position(tp)) for tp in partitions)

    def events(self, idle_timeout_s: float = 5.0, limit: int | None = None, join_timeout_s: float = 60.0) -> Iterator[Event]:
        """Yield events until none arrive for ``idle_timeout_s``; commits each batch after it is consumed.

        Idle time only counts once partitions are assigned: joining a group can take longer
        than the idle timeout on a busy broker, and that is not the same as an empty topic.
        """
        started = time.monotonic()
        idle_since: float | None = None
        yielded = 0
        while True:
            batch = self.poll(timeout_ms=500)
            now = time.monotonic()
            if batch:
                idle_since = None
            elif self.assignment() or now - started > join_timeout_s:
                idle_since = idle_since or now
                if now - idle_since >= idle_timeout_s:
                    return
            for event in batch:
                yield event
                yielded += 1
                if limit is not None and yielded >= limit:
                    self.commit()
                    return
            self.commit()

    def commit(self) -> None:
        """Commit everything polled so far; dead letters are flushed first so none is lost."""
        if self._dlq_producer is not None:
            with clients.broker_faults("flushing dead letters", self.settings):
                self._dlq_producer.flush()
        if not self._processed or self._consumer.config.get("group_id") is None:
            return
        offsets = {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in self._processed.items()}
        with clients.broker_faults("committing offsets", self.settings):
            self._consumer.commit(offsets)
        self._processed.clear()

    def dead_letter(self, message: ConsumerRecord, exc: SchemaViolation) -> None:
        if self._dlq_producer is None:
            self._dlq_producer = clients.producer(self.settings)
        letter = DeadLetter(
            stage="consume",
            reason=exc.reason,
            error=str(exc),
            source_topic=message.topic,
            field=exc.field,
            source_partition=message.partition,
            source_offset=message.offset,
        )
        self._dlq_producer.send(
            dead_letter_topic(message.topic), value=message.value, key=message.key, headers=letter.to_kafka(message.headers)
        )
        self.dead_lettered += 1

    def close(self) -> None:
        self.commit()
        self._consumer.close()
        if self._dlq_producer is not None:
            self._dlq_producer.close()

    def __enter__(self) -> "Subscriber":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _decode(self, message: ConsumerRecord) -> Event:
        reader = self.readers[message.topic]
        decoded = codec.decode(message.value, self.project.registry, reader)
        if decoded.writer.subject != reader.subject:
            raise SchemaViolation(
                f"message carries subject {decoded.writer.subject}, but {message.topic} carries {reader.subject}",
                reason="wrong_subject",
            )
        key = message.key.decode("utf-8", "replace") if message.key else None
        expected_key = decoded.record.get(self.topics[message.topic].key)
        if expected_key is not None and key != str(expected_key):
            raise SchemaViolation(
                f"message key {key!r} does not match its {self.topics[message.topic].key!r} value {expected_key!r}",
                field=self.topics[message.topic].key,
                reason="wrong_key",
            )
        return Event(
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=key,
            record=decoded.record,
            headers=headers_dict(message.headers),
            writer=decoded.writer,
            timestamp_ms=message.timestamp,
        )
