"""Steward operations on dead-letter topics: list what is there, replay what has been fixed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Iterator

from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import OffsetAndMetadata, TopicPartition

from govbus import codec
from govbus.bus import clients
from govbus.bus.dead_letter import DeadLetter, DeadLetterMessage, dead_letter_topic
from govbus.bus.headers import headers_dict
from govbus.bus.publisher import Publisher
from govbus.errors import SchemaViolation
from govbus.project import Project
from govbus.settings import KafkaSettings

REPLAY_GROUP = "govbus.dlq-replay"


def read_to_end(settings: KafkaSettings, topic: str, group_id: str | None = None) -> Iterator[ConsumerRecord]:
    """Every message from the group's position (or the start) up to the end offsets seen now."""
    consumer = clients.consumer(settings, group_id=group_id, enable_auto_commit=False, auto_offset_reset="earliest")
    try:
        with clients.broker_faults(f"reading {topic}"):
            partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
            consumer.assign(partitions)
            end = consumer.end_offsets(partitions)
            for tp in partitions:
                committed = consumer.committed(tp) if group_id else None
                consumer.seek(tp, committed or 0)
            remaining = {tp for tp in partitions if consumer.position(tp) < end[tp]}
            while remaining:
                for tp, messages in consumer.poll(timeout_ms=1000).items():
                    for message in messages:
                        if message.offset < end[tp]:
                            yield message
                    if consumer.position(tp) >= end[tp]:
                        remaining.discard(tp)
            if group_id and partitions:
                consumer.commit({tp: OffsetAndMetadata(end[tp], "", -1) for tp in partitions})
    finally:
        consumer.close()


def _as_dead_letter(message: ConsumerRecord) -> DeadLetterMessage:
    return DeadLetterMessage(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        payload=message.value,
        letter=DeadLetter.from_kafka(message.headers),
        original_headers={k: v for k, v in headers_dict(message.headers).items() if not k.startswith("dlq.")},
    )


def list_dead_letters(project: Project, topic: str, settings: KafkaSettings | None = None) -> list[DeadLetterMessage]:
    project.topic(topic)
    return [_as_dead_letter(m) for m in read_to_end(settings or KafkaSettings(), dead_letter_topic(topic))]


@dataclass
class ReplayReceipt:
    topic: str
    read: int = 0
    republished: int = 0
    still_failing: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.read == self.republished + len(self.still_failing)

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "read": self.read,
            "republished": self.republished,
            "still_failing": len(self.still_failing),
            "reasons": self.still_failing,
            "balanced": self.balanced,
        }


def replay(
    project: Project,
    topic: str,
    fixes: dict[int, dict[str, Any]] | None = None,
    settings: KafkaSettings | None = None,
) -> ReplayReceipt:
    """Try every dead letter not yet replayed again, with ``fixes`` (by DLQ offset) replacing records.

    What still fails goes back to the dead-letter topic with its new reason, so nothing is lost,
    and the replay group's offset moves past everything read, so nothing is replayed twice.
    """
    settings = settings or KafkaSettings()
    fixes = fixes or {}
    receipt = ReplayReceipt(topic)
    registry = project.registry
    with Publisher(project, settings) as publisher:
        for message in read_to_end(settings, dead_letter_topic(topic), group_id=f"{REPLAY_GROUP}.{topic}"):
            receipt.read += 1
            letter = _as_dead_letter(message)
            try:
                record = fixes.get(message.offset)
                if record is None and letter.letter.stage == "consume":
                    record = codec.decode(message.value, registry).record
                elif record is None:
                    record = json.loads(message.value or b"null")
            except (SchemaViolation, json.JSONDecodeError) as exc:
                receipt.still_failing.append(f"offset {message.offset}: {exc}")
                again = replace(
                    letter.letter, error=str(exc), reason=getattr(exc, "reason", "not_json"), attempt=letter.letter.attempt + 1
                )
                publisher.send_dead_letter(topic, message.value, again, key=message.key, original_headers=message.headers)
                continue
            result = publisher.publish(topic, [record])
            if result.sent:
                receipt.republished += 1
            else:
                receipt.still_failing.extend(f"offset {message.offset}: {r.message}" for r in result.rejections)
    return receipt
