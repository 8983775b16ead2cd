"""The table source reads and packs its next pages in a forked process while the last is published;
only reading moves ahead.

A batch the broker does not acknowledge stops the run with the cursor after the last batch that
was acknowledged (the page read ahead is not counted), and the rerun sends the rest exactly once.
A forked reader stuck on a lock held at the fork is given up, and the rest is read here.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import Counter

import pytest
from connector_feeds import TableFeed, moves, read_topic

from govbus import forked
from govbus.connectors.shipment import Shipment
from govbus.connectors.state import load_state
from govbus.errors import RetriableError

ROWS = 35  # five batches of seven


def test_an_unacknowledged_batch_leaves_the_cursor_after_the_last_acknowledged_one(connector_project, kafka_settings, store, monkeypatch, sqlite_url):
    feed = TableFeed(connector_project, kafka_settings, store, monkeypatch, url=sqlite_url)
    feed.add(moves(1, ROWS))
    send, shipped = Shipment.send, []

    def unacknowledged_third(shipment, parcel):
        # The broker refusing a batch cannot be caused on demand; the refusal is raised as the runner would.
        shipped.append(parcel.batch)
        if len(shipped) == 3:
            raise RetriableError("the broker did not acknowledge the batch")
        return send(shipment, parcel)

    monkeypatch.setattr(Shipment, "send", unacknowledged_third)
    with pytest.raises(RetriableError):
        feed.run()
    # The run stopped the process that was reading ahead before it returned.
    assert multiprocessing.active_children() == []
    state = load_state(store, feed.definition.name)
    assert state.position == shipped[1].position and state.last_run.status == "failed"
    assert state.last_run.counts["sent"] == 14

    monkeypatch.setattr(Shipment, "send", send)
    rerun = feed.run()
    assert (rerun.outcome.read, rerun.outcome.sent, rerun.batches) == (21, 21, 3)
    published = Counter(record["national_id"] for record in read_topic(feed.project, feed.settings, feed.project.moves))
    assert sorted(published) == [change["national_id"] for change in moves(1, ROWS)]
    assert set(published.values()) == {1}


def test_a_reader_stuck_on_a_lock_held_at_the_fork_leaves_the_rest_to_this_process(connector_project, kafka_settings, store, monkeypatch, sqlite_url):
    monkeypatch.setattr(forked, "STUCK_AFTER_S", 1.0)
    feed = TableFeed(connector_project, kafka_settings, store, monkeypatch, url=sqlite_url)
    feed.add(moves(1, ROWS))
    pack, parent, held_at_the_fork, packed_there = Shipment.pack, os.getpid(), threading.Lock(), []

    def stuck_at_the_third_batch(shipment, batch):
        if os.getpid() != parent:
            packed_there.append(batch)  # the forked process's own list
            if len(packed_there) == 3:
                held_at_the_fork.acquire()  # held in this process at the fork, so never released there
        return pack(shipment, batch)

    monkeypatch.setattr(Shipment, "pack", stuck_at_the_third_batch)
    with held_at_the_fork:
        run = feed.run()

    assert (run.outcome.read, run.outcome.sent, run.batches) == (ROWS, ROWS, 5)
    assert multiprocessing.active_children() == []
    published = Counter(record["national_id"] for record in read_topic(feed.project, feed.settings, feed.project.moves))
    assert sorted(published) == [change["national_id"] for change in moves(1, ROWS)]
    assert set(published.values()) == {1}
