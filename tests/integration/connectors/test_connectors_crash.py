"""A table source killed with SIGKILL loses no row, and repeats at most the batch in flight, with its event ids.

The connector runs in a child process that is killed for real: either exactly between the
broker's acknowledgement and the cursor commit (the worst moment), or at random moments.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict

from connector_feeds import TableFeed, moves, read_topic
from sqlalchemy import column, select, table

from govbus.bus.subscriber import Subscriber
from govbus.connectors.state import load_state
from govbus.land import land, landed_table_name

ROWS = 3000
BATCH = 100

CHILD = """
import os, signal, sys
from govbus.connectors import find_definition, run_source
from govbus.connectors import run as runner
from govbus.project import load_project
from govbus.settings import KafkaSettings
from govbus.store.engine import Store

root, name, store_url, bootstrap, crash_at = sys.argv[1:]
if int(crash_at):
    commit = runner.save_state
    commits = []

    def crash_before_the_commit(store, state):
        commits.append(1)
        if len(commits) == int(crash_at):
            os.kill(os.getpid(), signal.SIGKILL)
        commit(store, state)

    runner.save_state = crash_before_the_commit
project = load_project(root)
run_source(find_definition(project, name), project, settings=KafkaSettings(bootstrap_servers=bootstrap), store=Store(store_url))
"""


class LargeBatchTableFeed(TableFeed):
    batch_size = BATCH


def _feed(connector_project, kafka_settings, store, monkeypatch, sqlite_url) -> TableFeed:
    feed = LargeBatchTableFeed(connector_project, kafka_settings, store, monkeypatch, url=sqlite_url)
    feed.add(moves(1, ROWS))
    feed.store.migrate()
    return feed


def _child(feed: TableFeed, crash_at: int = 0) -> subprocess.Popen:
    argv = [sys.executable, "-c", CHILD, str(feed.project.root), feed.definition.name, feed.store.url, feed.settings.bootstrap_servers, str(crash_at)]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _published(feed: TableFeed) -> Counter:
    return Counter(r["national_id"] for r in read_topic(feed.project, feed.settings, feed.project.moves))


def test_a_kill_between_the_ack_and_the_cursor_commit_repeats_only_that_batch(connector_project, kafka_settings, store, monkeypatch, sqlite_url):
    feed = _feed(connector_project, kafka_settings, store, monkeypatch, sqlite_url)
    crashed = _child(feed, crash_at=4)
    assert crashed.wait(timeout=120) == -signal.SIGKILL
    finished = _child(feed)
    assert finished.wait(timeout=120) == 0, finished.stdout.read().decode()
    published = _published(feed)
    assert sorted(published) == [m["national_id"] for m in moves(1, ROWS)]
    repeated = sorted(nid for nid, count in published.items() if count > 1)
    # The fourth batch was on the broker but not yet behind the cursor: it, and only it, came twice.
    assert repeated == [m["national_id"] for m in moves(3 * BATCH + 1, BATCH)]
    assert max(published.values()) == 2
    # The resent batch carries the event ids of its first sending, so landing keeps one row each.
    ids: dict[str, set[str]] = defaultdict(set)
    with Subscriber(feed.project, [feed.project.moves], group_id=None, settings=feed.settings) as subscriber:
        for event in subscriber.events(idle_timeout_s=1.0):
            ids[event.record["national_id"]].add(event.headers["event_id"])
    assert all(len(ids[nid]) == 1 for nid in repeated) and len({i for found in ids.values() for i in found}) == ROWS
    landed = land(feed.project, feed.store, [feed.project.moves], settings=feed.settings, idle_timeout_s=1.0)
    assert (landed.consumed, landed.landed, landed.balanced) == (ROWS + BATCH, ROWS + BATCH, True)
    with feed.store.begin() as connection:
        rows = connection.execute(select(column("national_id"), column("_event_id")).select_from(table(landed_table_name(feed.project.moves)))).all()
    assert sorted(rows) == sorted((nid, *found) for nid, found in ids.items())


def _progress(feed: TableFeed) -> int:
    position = load_state(feed.store, feed.definition.name).position
    return position["key"] if position else 0


def test_kills_at_random_moments_lose_nothing(connector_project, kafka_settings, store, monkeypatch, sqlite_url):
    feed = _feed(connector_project, kafka_settings, store, monkeypatch, sqlite_url)
    rng = random.Random(8)
    kills, stopped_at = 0, []
    for target in sorted(rng.sample(range(BATCH, ROWS - BATCH), 4)):
        child = _child(feed)
        # Kill once the run has got past a random row, at a random moment in the batches after it.
        while child.poll() is None and _progress(feed) < target:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.05))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            kills += 1
        child.wait(timeout=60)
        stopped_at.append(_progress(feed))
    assert kills and all(0 < key < ROWS for key in stopped_at), stopped_at
    finished = _child(feed)
    assert finished.wait(timeout=120) == 0, finished.stdout.read().decode()
    published = _published(feed)
    assert sorted(published) == [m["national_id"] for m in moves(1, ROWS)]
    # Each kill can repeat at most the one batch that was in flight.
    assert sum(published.values()) - ROWS <= kills * BATCH
