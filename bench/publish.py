"""Publish and consume throughput of the SDK against a raw kafka-python client, side by side.

    python bench/publish.py --events 200000

The SDK validates, keys, encodes (single-object Avro) and sends with acks=all and idempotence;
the raw baseline sends the same pre-encoded bytes and headers with the same producer settings.
Consumption compares decoding to the reader schema with a raw consumer that only receives bytes.
"""

from __future__ import annotations

import argparse
import random
import uuid

from kafka import KafkaConsumer, KafkaProducer

from common import REPO, Stopwatch, bench_broker, default_bootstrap, finish, rate

from govbus import codec
from govbus.bus.clients import PRODUCER_TUNING
from govbus.bus.headers import event_headers
from govbus.bus.publisher import Publisher
from govbus.bus.subscriber import Subscriber
from govbus.bus.topics import TopicSpec, apply_topics
from govbus.project import Topic, load_project
from govbus.settings import KafkaSettings

SUBJECT = "population.person.registered"
GIVEN = ["Anna", "Eva", "Maria", "Karin", "Lars", "Olle", "Johan", "Erik", "Aleksandra", "Mohammed", "Sofia", "Nils"]
FAMILY = ["Andersson", "Berg", "Lindqvist", "Nyström", "Karlsson", "Öberg", "Haddad", "Kowalski", "Eriksson", "Holm"]
STREETS = ["Storgatan", "Kyrkvägen", "Skolgatan", "Järnvägsgatan", "Strandvägen", "Industrivägen", "Björkallén"]
CITIES = ["Norrvik", "Sörby", "Västerå", "Östermark", "Lilla Hamn"]


def people(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    result = []
    for n in range(count):
        born = f"{rng.randint(1930, 2008)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        result.append(
            {
                "national_id": f"{born.replace('-', '')}-{n % 10000:04d}",
                "given_name": f"{rng.choice(GIVEN)} {rng.choice(GIVEN)}",
                "family_name": f"{rng.choice(FAMILY)}-{rng.choice(FAMILY)}",
                "date_of_birth": born,
                "sex": rng.choice("FMX"),
                "street": f"{rng.choice(STREETS)} {rng.randint(1, 200)} lgh {rng.randint(1000, 1999)}",
                "postcode": f"{rng.randint(10000, 99999)}",
                "city": rng.choice(CITIES),
                "civil_status": rng.choice(["single", "married", "divorced", "widowed", None]),
                "passport_number": None if rng.random() < 0.8 else f"P{rng.randint(10**7, 10**8 - 1)}",
            }
        )
    return result


def make_topics(project, settings: KafkaSettings, partitions: int) -> tuple[str, str]:
    run = uuid.uuid4().hex[:8]
    sdk, raw = f"bench.sdk.{run}", f"bench.raw.{run}"
    apply_topics([TopicSpec(name, partitions, 1, {}) for name in (sdk, raw, sdk + ".dlq")], settings)
    project.topics[sdk] = Topic(name=sdk, subject=SUBJECT, provider="population", key="national_id", partitions=partitions)
    return sdk, raw


def publish_raw(settings: KafkaSettings, topic: str, encoded: list[tuple[bytes, bytes, list]]) -> float:
    producer = KafkaProducer(**settings.client_config(), **PRODUCER_TUNING)
    with Stopwatch() as watch:
        for key, value, headers in encoded:
            producer.send(topic, key=key, value=value, headers=headers)
        producer.flush()
    producer.close()
    return watch.seconds


def consume_raw(settings: KafkaSettings, topic: str, expected: int) -> float:
    consumer = KafkaConsumer(topic, **settings.client_config(), group_id=f"raw-{uuid.uuid4().hex}", auto_offset_reset="earliest", enable_auto_commit=False, max_poll_records=2000)
    seen = 0
    with Stopwatch() as watch:
        while seen < expected:
            for messages in consumer.poll(timeout_ms=1000).values():
                seen += len(messages)
    consumer.close()
    return watch.seconds


def consume_sdk(project, settings: KafkaSettings, topic: str, expected: int) -> float:
    seen = 0
    with Subscriber(project, [topic], group_id=f"sdk-{uuid.uuid4().hex}", settings=settings) as subscriber:
        with Stopwatch() as watch:
            while seen < expected:
                seen += len(subscriber.poll(timeout_ms=1000))
    return watch.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--bootstrap", default=default_bootstrap(), help="Existing broker (default: start a private one).")
    args = parser.parse_args()

    project = load_project(REPO)
    schema = project.registry.get(SUBJECT)
    records = people(args.events)
    headers = event_headers(SUBJECT, "population", schema.version)
    encoded = [(r["national_id"].encode(), codec.encode(r, schema), headers()) for r in records]
    value_bytes = sum(len(v) for _, v, _ in encoded)
    wire_bytes = value_bytes + sum(len(k) + sum(len(h) + len(b) for h, b in hs) for k, _, hs in encoded)
    print(f"{args.events} person events, {value_bytes / args.events:.0f} B Avro body, {wire_bytes / args.events:.0f} B with key and headers")

    with bench_broker(args.bootstrap) as bootstrap:
        settings = KafkaSettings(bootstrap_servers=bootstrap)
        sdk_topic, raw_topic = make_topics(project, settings, args.partitions)
        raw_seconds = publish_raw(settings, raw_topic, encoded)
        with Publisher(project, settings) as publisher, Stopwatch() as watch:
            receipt = publisher.publish(sdk_topic, records)
        sdk_seconds = watch.seconds
        assert receipt.sent == args.events and receipt.balanced, receipt.to_dict()
        raw_consume = consume_raw(settings, raw_topic, args.events)
        sdk_consume = consume_sdk(project, settings, sdk_topic, args.events)

    figures = {
        "events": args.events,
        "avg_event_bytes": round(wire_bytes / args.events),
        "sdk_publish_events_per_s": round(rate(args.events, sdk_seconds)),
        "raw_publish_events_per_s": round(rate(args.events, raw_seconds)),
        "sdk_publish_mb_per_s": round(wire_bytes / sdk_seconds / 1e6, 2),
        "raw_publish_mb_per_s": round(wire_bytes / raw_seconds / 1e6, 2),
        "publish_ratio_sdk_to_raw": round(raw_seconds / sdk_seconds, 3),
        "sdk_consume_decode_events_per_s": round(rate(args.events, sdk_consume)),
        "raw_consume_events_per_s": round(rate(args.events, raw_consume)),
        "consume_ratio_sdk_to_raw": round(raw_consume / sdk_consume, 3),
    }
    print(f"publish  sdk {figures['sdk_publish_events_per_s']:>8} ev/s {figures['sdk_publish_mb_per_s']:>6} MB/s | "
          f"raw {figures['raw_publish_events_per_s']:>8} ev/s {figures['raw_publish_mb_per_s']:>6} MB/s | ratio {figures['publish_ratio_sdk_to_raw']} (target >= 0.9)")
    print(f"consume  sdk {figures['sdk_consume_decode_events_per_s']:>8} ev/s (decode) | raw {figures['raw_consume_events_per_s']:>8} ev/s | ratio {figures['consume_ratio_sdk_to_raw']}")
    finish(figures)


if __name__ == "__main__":
    main()
