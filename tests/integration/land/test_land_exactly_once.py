"""Exactly-once landing: a lander SIGKILLed at random points, then rerun, lands every event once."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

from land_bus import end_offsets, publish
from kafka import KafkaProducer
from lander_child import audit
from sqlalchemy import func, select

from govbus.land import landed_table_name
from govbus.land.offsets import stored_positions

CHILD = Path(__file__).with_name("lander_child.py")


def audited(store) -> int:
    with store.begin() as connection:
        return connection.execute(select(func.count()).select_from(audit)).scalar_one()


def run_child(project, store, *topics: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(project.root), store.url, *topics], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def kill_part_way(child: subprocess.Popen, store, threshold: int, rng: random.Random) -> None:
    deadline = time.monotonic() + 120
    while child.poll() is None and audited(store) < threshold and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(rng.uniform(0, 0.05))
    child.kill()
    child.wait()


def test_a_lander_killed_at_random_points_lands_every_event_exactly_once(land_project, fresh_store, kafka_settings, resident):
    people = [resident(n) for n in range(1000)]
    moves = [{"national_id": resident(n)["national_id"], "street": "Hamngatan 1", "postcode": "22100", "city": "Sjöby"} for n in range(200)]
    publish(land_project, land_project.people, people, kafka_settings)
    publish(land_project, land_project.moves, moves, kafka_settings, version=1)
    producer = KafkaProducer(**kafka_settings.client_config())
    for number in range(5):
        producer.send(land_project.moves, f"garbage {number}".encode(), key=b"g")
    producer.flush()
    producer.close()
    topics = [land_project.people, land_project.moves]
    audit.create(fresh_store.engine)
    rng = random.Random(20260314)
    interrupted = []

    for _ in range(4):
        child = run_child(land_project, fresh_store, *topics)
        done = audited(fresh_store)
        # Somewhere in the first half of what is left, so every run has work left to be cut short.
        kill_part_way(child, fresh_store, done + rng.randint(1, max(1, (1200 - done) // 2)), rng)
        interrupted.append(audited(fresh_store))
    finished = run_child(land_project, fresh_store, *topics)
    assert finished.wait(timeout=300) == 0, finished.stderr.read().decode()

    # The kills hit the lander part way through, not before it started or after it was done.
    assert any(0 < count < 1200 for count in interrupted), interrupted
    with fresh_store.begin() as connection:
        events = (audit.c.topic, audit.c.partition, audit.c.offset)
        total = connection.execute(select(func.count()).select_from(audit)).scalar_one()
        distinct_events = connection.execute(select(func.count()).select_from(select(*events).distinct().subquery())).scalar_one()
        landed = {
            topic: [dict(r) for r in connection.exec_driver_sql(f"SELECT * FROM {landed_table_name(topic)}").mappings()]
            for topic in topics
        }
    assert (total, distinct_events) == (1200, 1200)
    assert sorted(({k: r[k] for k in people[0]} for r in landed[land_project.people]), key=str) == sorted(people, key=str)
    assert sorted(r["national_id"] for r in landed[land_project.moves]) == sorted(m["national_id"] for m in moves)
    assert stored_positions(fresh_store, "govbus.land", topics) == end_offsets(kafka_settings, topics)
