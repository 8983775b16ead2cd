"""The conformance suite every connector kind passes, against a real database and the real broker.

A kind gets the whole suite in one line, by naming its feed::

    class TestOutboxOnSqlite(ConnectorConformance):
        feed = feed_of(OutboxFeed, database="sqlite")
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from connector_feeds import QUARANTINED_POSTCODE, REJECTED_POSTCODE, Feed, message_count, moves, read_topic

from sqlalchemy import delete, select

from govbus.audit.log import entries
from govbus.bus.dead_letter import dead_letter_topic
from govbus.bus.quarantine import quarantine_topic
from govbus.connectors.state import load_state
from govbus.store.engine import Store
from govbus.store.tables import consumer_offset


def feed_of(feed_class: type[Feed], database: str | None = None):
    """The ``feed`` fixture for a conformance class: ``database`` is sqlite, postgres, cdc or None."""

    @pytest.fixture
    def feed(self, request, connector_project, kafka_settings, store, monkeypatch) -> Iterator[Feed]:
        made = (connector_project, kafka_settings, store, monkeypatch)
        fixture = request.getfixturevalue
        if database == "sqlite":
            made_feed = feed_class(*made, url=fixture("sqlite_url"))
        elif database == "postgres":
            made_feed = feed_class(*made, url=fixture("postgres_url"), schema=fixture("postgres_schema"))
        elif database == "cdc":
            made_feed = feed_class(*made, url=fixture("cdc_postgres_url"), schema=fixture("cdc_schema"), worker=fixture("connect_worker"))
        else:
            made_feed = feed_class(*made)
        yield made_feed
        made_feed.close()

    return feed


class ConnectorConformance:
    """What every source must do; subclasses set the ``feed`` fixture with ``feed_of``."""

    def test_publishes_every_row_and_the_counts_add_up(self, feed: Feed):
        good = moves(1, 20)
        feed.add(good[:10] + moves(100, 1, QUARANTINED_POSTCODE) + good[10:] + moves(200, 1, REJECTED_POSTCODE))
        run = feed.run()
        outcome = run.outcome
        assert (outcome.read, outcome.sent, outcome.quarantined, outcome.rejected, outcome.failed) == (22, 20, 1, 1, 0)
        assert outcome.balanced
        assert outcome.rejections[0].field == "postcode"
        published = read_topic(feed.project, feed.settings, feed.project.moves)
        assert sorted(published, key=lambda r: r["national_id"]) == good
        assert message_count(feed.settings, quarantine_topic(feed.project.moves)) == 1
        assert message_count(feed.settings, dead_letter_topic(feed.project.moves)) == 1

    def test_a_rerun_publishes_nothing_new(self, feed: Feed):
        feed.add(moves(1, 15))
        assert feed.run().outcome.sent == 15
        again = feed.run()
        assert again.outcome.read == 0 and again.outcome.balanced
        assert message_count(feed.settings, feed.project.moves) == 15

    def test_rows_added_later_are_published_exactly_once(self, feed: Feed):
        feed.add(moves(1, 9))
        feed.run()
        feed.add(moves(10, 12))
        later = feed.run()
        assert later.outcome.sent == 12
        published = Counter(r["national_id"] for r in read_topic(feed.project, feed.settings, feed.project.moves))
        assert sorted(published) == [m["national_id"] for m in moves(1, 21)]
        assert set(published.values()) == {1}

    def test_the_cursor_and_the_last_run_survive_in_the_store(self, feed: Feed):
        feed.add(moves(1, 8))
        run = feed.run()
        # As a new process would see it: a store object of its own over the same database.
        state = load_state(Store(feed.store.url), feed.definition.name)
        assert state.position == run.position and state.position is not None
        assert state.last_run.status == "finished"
        assert state.last_run.counts == {"read": 8, "sent": 8, "quarantined": 0, "rejected": 0, "failed": 0}
        assert state.last_run.batches == run.batches >= 2


class SinkConformance:
    """What every sink must do; subclasses set the ``feed`` fixture with ``feed_of``."""

    def test_writes_every_event_and_leaves_the_agency_columns_alone(self, feed):
        feed.add(moves(1, 10))
        first = feed.run()
        feed.note("19800102-0003", "moved abroad?")
        feed.add(moves(3, 1, postcode="99999"))
        second = feed.run()
        assert (first.consumed, first.written, second.consumed, second.written) == (10, 10, 1, 1)
        rows = feed.rows()
        assert sorted(rows) == [m["national_id"] for m in moves(1, 10)]
        assert rows["19800102-0003"]["postcode"] == "99999"
        assert rows["19800102-0003"]["case_note"] == "moved abroad?"
        assert rows["19800102-0004"]["street"] == "Storgatan 4"

    def test_a_rerun_writes_nothing_and_offsets_sit_beside_the_rows(self, feed):
        feed.add(moves(1, 12))
        feed.run()
        assert feed.run().consumed == 0
        with feed.database.begin() as connection:
            stored = connection.execute(select(consumer_offset.c.next_offset).where(consumer_offset.c.topic == feed.project.moves))
            assert sum(stored.scalars()) == 12

    def test_each_batch_is_audited_as_consumed_by_the_agency_under_its_agreement(self, feed):
        feed.add(moves(1, 5))
        run = feed.run()
        audited = entries(feed.store, kind="consume")
        assert run.written == 5
        assert [(e.actor, e.agreement_ref, e.subject_count) for e in audited] == [(feed.definition.agency, "AGR-2026-014", 5)]

    def test_a_value_the_table_cannot_hold_is_dead_lettered_alone(self, feed):
        feed.add([*moves(1, 2), {**moves(3, 1)[0], "city": "Nor\x00rvik"}])
        run = feed.run()
        refused = 1 if feed.database.dialect == "postgresql" else 0
        assert (run.consumed, run.written, run.dead_lettered) == (3, 3 - refused, refused)
        assert len(feed.rows()) == 3 - refused

    def test_replaying_from_the_start_leaves_the_same_rows(self, feed):
        feed.add(moves(1, 12))
        feed.run()
        before = feed.rows()
        with feed.database.begin() as connection:
            connection.execute(delete(consumer_offset))
        replay = feed.run()
        assert replay.consumed == 12 and feed.rows() == before
