"""The table source reads and packs its next pages in a forked process while the last is published;
only reading moves ahead.

A batch the broker does not acknowledge stops the run with the cursor after the last batch that
was acknowledged (the page read ahead is not counted), and the rerun sends the rest exactly once.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter

import pytest
from connector_feeds import TableFeed, moves, read_topic

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
