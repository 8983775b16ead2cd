"""The broker is killed (SIGKILL) and restarted in the middle of a large publish: every event still
reaches the store exactly once. ``GOVBUS_FAULT_EVENTS`` sets how many (default 100000)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter

from faults_support import landing_tally, registered_topic, tally_landing
from sqlalchemy import func, select, table

from govbus.audit import verify_chain
from govbus.bus.publisher import Publisher
from govbus.land import land, landed_table_name

EVENTS = int(os.environ.get("GOVBUS_FAULT_EVENTS", "100000"))


def kill(node) -> None:
    pid = node.process.pid()
    os.killpg(pid, signal.SIGKILL)
    while node.process.alive():
        time.sleep(0.05)


def event_ids_and_keys(messages: list) -> tuple[Counter, set[bytes]]:
    """How many times each event id sits in the topic (more than once is a duplicate), and the keys."""
    return Counter(dict(m.headers).get("event_id") for m in messages), {m.key for m in messages}


def test_a_broker_killed_during_a_publish_loses_and_duplicates_nothing(make_broker, demo_project, fault_store, read_topic, report_counts, resident):
    node = make_broker(security=True)
    node.up(timeout=120)
    settings = node.client_settings()
    project = demo_project()
    topic = registered_topic(project, settings)
    people = [resident(n) for n in range(EVENTS)]
    progress, outcome = [0], {}

    def publish() -> None:
        try:
            with Publisher(project, settings) as publisher:
                outcome["receipt"] = publisher.publish(topic, people, on_progress=lambda n: progress.__setitem__(0, n))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc

    publisher = threading.Thread(target=publish)
    publisher.start()
    while progress[0] < EVENTS // 3 and publisher.is_alive():
        time.sleep(0.01)
    killed_at, mid_publish = progress[0], publisher.is_alive()
    kill(node)
    down_since = time.monotonic()
    time.sleep(2)
    node.up(timeout=120)
    outage = time.monotonic() - down_since
    publisher.join(timeout=600)
    assert "error" not in outcome, outcome.get("error")
    receipt = outcome["receipt"]

    # What the producer could not confirm and is not on the topic is sent again.
    retried = 0
    if receipt.failed:
        _, keys = event_ids_and_keys(read_topic(settings, topic))
        with Publisher(project, settings) as publisher:
            retried = publisher.publish(topic, [p for p in people if p["national_id"].encode() not in keys]).sent
    event_ids, _ = event_ids_and_keys(read_topic(settings, topic))
    landed = land(project, fault_store, [topic], settings=settings, idle_timeout_s=3, batch_size=5000, on_batch=tally_landing)
    with fault_store.begin() as connection:
        rows = connection.execute(select(func.count()).select_from(table(landed_table_name(topic)))).scalar_one()
    recorded, distinct = landing_tally(fault_store)
    duplicates = sum(count - 1 for count in event_ids.values() if count > 1)
    report_counts(
        f"broker SIGKILLed after {killed_at:,} of {EVENTS:,} events handed to the producer, back after {outage:.1f}s: "
        f"sent {receipt.sent:,}, failed {receipt.failed:,}, re-sent {retried:,}; on the topic {sum(event_ids.values()):,} "
        f"({duplicates} duplicate event ids); landed {landed.landed:,} events into {rows:,} rows; "
        f"tally {recorded:,} event ids, {distinct:,} distinct; store {fault_store.dialect}"
    )
    assert mid_publish and 0 < killed_at < EVENTS
    assert duplicates == 0
    assert rows == EVENTS and distinct == recorded == landed.landed
    assert verify_chain(fault_store).intact
    node.down()
