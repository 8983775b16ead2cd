"""The publisher names each event's partition itself; it must be the one any Kafka client picks."""

import random

from kafka.partitioner.default import murmur2 as kafka_murmur2

from govbus.bus.clients import murmur2


def test_the_publisher_picks_the_partition_kafkas_default_partitioner_picks():
    rng = random.Random(8)
    keys = [bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 300))) for _ in range(3000)]
    keys += [f"19{n:06d}-{n % 10000:04d}".encode() for n in range(3000)]
    assert [murmur2(key) for key in keys] == [kafka_murmur2(key) for key in keys]
