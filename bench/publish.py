"""Publish and consume throughput of the SDK against a raw kafka-python client, side by side.

    python bench/publish.py --events 200000 --rounds 2

The SDK validates, keys, encodes (single-object Avro) and sends with acks=all and idempotence;
the raw baseline sends the same pre-encoded bytes and headers with the same producer settings
(``PRODUCER_TUNING``). A third run publishes through the SDK with the contract's per-record
checks on. The runs alternate, round after round, each round starting with the next variant, and
the best of each is kept, so load from other work on the machine hits all of them alike; CPU
time per event is printed beside the rates because it moves less with that load. The checks'
cost is also given as the median over rounds of each round's own cost (checks on against off,
seconds apart), which a drift in that load between rounds does not tilt. Consumption compares
decoding to the reader schema with a raw consumer that only receives bytes.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import time
import uuid
from statistics import median

from kafka import KafkaConsumer, KafkaProducer

from common import REPO, Stopwatch, bench_broker, default_bootstrap, finish, rate

from govbus import codec
from govbus.bus.clients import PRODUCER_TUNING
from govbus.bus.headers import event_headers
from govbus.bus.publisher import Publisher
from govbus.bus.subscriber import Subscriber
from govbus.bus.topics import TopicSpec, apply_topics
from govbus.contracts.loader import load_contracts
from govbus.contracts.rules import ContractCheck
from govbus.project import Topic, load_project
from govbus.settings import KafkaSettings

SUBJECT = "population.person.registered"
CONTRACT = "population-registered-residents"
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
    parser.add_argument("--rounds", type=int, default=2, help="Alternating rounds of raw, SDK and SDK-with-checks publishing (best kept).")
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

    contract = next(c for c in load_contracts(project.contracts_dir) if c.id == CONTRACT)
    enforce = ContractCheck.on_schemas(contract, project.registry).enforce
    runs: dict[str, list[tuple[float, float]]] = {"raw": [], "sdk": [], "sdk_checks": []}
    with bench_broker(args.bootstrap) as bootstrap:
        settings = KafkaSettings(bootstrap_servers=bootstrap)

        def sdk_run(topic: str, checks: dict | None) -> float:
            with Publisher(project, settings, checks=checks) as publisher, Stopwatch() as watch:
                receipt = publisher.publish(topic, records)
            assert receipt.sent == args.events and receipt.balanced, receipt.to_dict()
            return watch.seconds

        for number in range(1, args.rounds + 1):
            sdk_topic, raw_topic = make_topics(project, settings, args.partitions)
            checked_topic = make_topics(project, settings, args.partitions)[0]
            variants = [
                ("raw", lambda: publish_raw(settings, raw_topic, encoded)),
                ("sdk", lambda: sdk_run(sdk_topic, None)),
                ("sdk_checks", lambda: sdk_run(checked_topic, {checked_topic: [enforce]})),
            ]
            # Each round starts with the next variant: a broker that has just taken a run's events
            # is slower for a while, and no variant should always be the one that follows.
            shift = (number - 1) % len(variants)
            for name, run in variants[shift:] + variants[:shift]:
                gc.collect()  # each run starts from the same collector state, whatever ran before
                cpu = time.process_time()
                seconds = run()
                runs[name].append((seconds, (time.process_time() - cpu) / args.events * 1e6))
                print(f"round {number} {name:<10} {rate(args.events, seconds):>8.0f} ev/s  {runs[name][-1][1]:6.1f} µs CPU/event  load {os.getloadavg()[0]:.2f}")
        raw_consume = consume_raw(settings, raw_topic, args.events)
        sdk_consume = consume_sdk(project, settings, sdk_topic, args.events)

    (raw_seconds, raw_cpu), (sdk_seconds, sdk_cpu), (checks_seconds, checks_cpu) = (
        (min(s for s, _ in runs[name]), min(c for _, c in runs[name])) for name in runs
    )
    figures = {
        "events": args.events,
        "rounds": args.rounds,
        "avg_event_bytes": round(wire_bytes / args.events),
        "sdk_publish_events_per_s": round(rate(args.events, sdk_seconds)),
        "raw_publish_events_per_s": round(rate(args.events, raw_seconds)),
        "sdk_publish_mb_per_s": round(wire_bytes / sdk_seconds / 1e6, 2),
        "raw_publish_mb_per_s": round(wire_bytes / raw_seconds / 1e6, 2),
        "publish_ratio_sdk_to_raw": round(raw_seconds / sdk_seconds, 3),
        "sdk_publish_cpu_us_per_event": round(sdk_cpu, 1),
        "raw_publish_cpu_us_per_event": round(raw_cpu, 1),
        "publish_cpu_ratio_raw_to_sdk": round(raw_cpu / sdk_cpu, 3),
        "sdk_checks_publish_events_per_s": round(rate(args.events, checks_seconds)),
        "checks_cost_percent": round(100 * (1 - sdk_seconds / checks_seconds), 2),
        "checks_cpu_cost_percent": round(100 * (1 - sdk_cpu / checks_cpu), 2),
        "checks_cost_percent_paired": round(100 * median(1 - s / c for (s, _), (c, _) in zip(runs["sdk"], runs["sdk_checks"])), 2),
        "sdk_consume_decode_events_per_s": round(rate(args.events, sdk_consume)),
        "raw_consume_events_per_s": round(rate(args.events, raw_consume)),
        "consume_ratio_sdk_to_raw": round(raw_consume / sdk_consume, 3),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(f"publish  sdk {figures['sdk_publish_events_per_s']:>8} ev/s {figures['sdk_publish_mb_per_s']:>6} MB/s | "
          f"raw {figures['raw_publish_events_per_s']:>8} ev/s {figures['raw_publish_mb_per_s']:>6} MB/s | ratio {figures['publish_ratio_sdk_to_raw']} (target >= 0.9)")
    print(f"         CPU per event: sdk {sdk_cpu:.1f} µs | raw {raw_cpu:.1f} µs | ratio {figures['publish_cpu_ratio_raw_to_sdk']}")
    print(f"checks   sdk with contract checks {figures['sdk_checks_publish_events_per_s']:>8} ev/s | cost {figures['checks_cost_percent']}% of publish throughput "
          f"(best runs), {figures['checks_cpu_cost_percent']}% of CPU; median of each round's cost {figures['checks_cost_percent_paired']}% (target <= 10%)")
    print(f"consume  sdk {figures['sdk_consume_decode_events_per_s']:>8} ev/s (decode) | raw {figures['raw_consume_events_per_s']:>8} ev/s | ratio {figures['consume_ratio_sdk_to_raw']}")
    finish(figures)


if __name__ == "__main__":
    main()
