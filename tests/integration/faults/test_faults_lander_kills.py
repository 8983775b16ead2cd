"""The landing consumer is SIGKILLed at random points, many times: no event is lost or landed twice."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

from faults_support import landing_tally, registered_topic
from sqlalchemy import func, select, table

from govbus.audit import verify_chain
from govbus.bus.publisher import Publisher
from govbus.land import landed_table_name

LANDER = Path(__file__).with_name("fault_lander.py")
EVENTS, KILLS = 6000, 12


def start_lander(project, store, topic: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(LANDER), str(project.root), store.url, topic], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_when_tallied(child: subprocess.Popen, store, target: int, rng: random.Random) -> int:
    deadline = time.monotonic() + 120
    while child.poll() is None and landing_tally(store)[0] < target and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(rng.uniform(0, 0.05))
    child.kill()
    child.wait()
    return landing_tally(store)[0]


def test_a_lander_killed_many_times_lands_every_event_exactly_once(kafka_settings, demo_project, fault_store, report_counts, resident):
    project = demo_project()
    topic = registered_topic(project, kafka_settings)
    with Publisher(project, kafka_settings) as publisher:
        assert publisher.publish(topic, [resident(n) for n in range(EVENTS)]).sent == EVENTS
    rng = random.Random(20260302)
    tallies = []
    for _ in range(KILLS):
        done = landing_tally(fault_store)[0]
        tallies.append(kill_when_tallied(start_lander(project, fault_store, topic), fault_store, done + rng.randint(1, max(1, (EVENTS - done) // 6)), rng))
    finished = start_lander(project, fault_store, topic)
    assert finished.wait(timeout=300) == 0, finished.stderr.read().decode()

    recorded, distinct = landing_tally(fault_store)
    with fault_store.begin() as connection:
        rows = connection.execute(select(func.count()).select_from(table(landed_table_name(topic)))).scalar_one()
    chain = verify_chain(fault_store)
    cut_short = sum(1 for count in tallies if 0 < count < EVENTS)
    report_counts(
        f"lander SIGKILLed {KILLS} times ({cut_short} part way, at {tallies}); {EVENTS:,} events: "
        f"{recorded:,} landed over all runs, {distinct:,} distinct, {rows:,} rows; "
        f"audit chain {chain.checked} entries intact={chain.intact}; store {fault_store.dialect}"
    )
    assert cut_short >= KILLS // 2
    assert recorded == distinct == rows == EVENTS
    assert chain.intact
