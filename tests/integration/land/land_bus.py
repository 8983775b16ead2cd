"""The bus side of landing tests: publishing records, and where each partition ends."""

from __future__ import annotations

from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from govbus.bus.publisher import Publisher
from govbus.project import Project


def publish(project: Project, topic: str, records: list[dict], settings, version: int | None = None) -> None:
    with Publisher(project, settings) as publisher:
        receipt = publisher.publish(topic, records, version=version)
    assert receipt.sent == len(records), receipt.to_dict()


def end_offsets(settings, topics: list[str]) -> dict[TopicPartition, int]:
    """The next offset of every non-empty partition of ``topics``: where a finished landing stands."""
    consumer = KafkaConsumer(**settings.client_config())
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t)]
        return {tp: offset for tp, offset in consumer.end_offsets(partitions).items() if offset}
    finally:
        consumer.close()
