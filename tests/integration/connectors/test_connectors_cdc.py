"""Change data capture end to end: an UPDATE in PostgreSQL becomes an event on the bus."""

from __future__ import annotations

import pytest
from connector_conformance import feed_of
from connector_feeds import CdcFeed, message_count, moves, read_topic
from sqlalchemy import delete, update

from govbus.connectors.cdc import change_topic
from govbus.connectors.definition import find_definition
from govbus.errors import ConfigurationError


class TestDebeziumChanges:
    feed = feed_of(CdcFeed, database="cdc")

    def test_an_update_in_postgres_reaches_the_bus_as_the_agency_subject(self, feed: CdcFeed):
        feed.add(moves(1, 3))
        feed.run()
        with feed.database.begin() as connection:
            connection.execute(update(feed.table).where(feed.table.c.person_id == 2).values(street_address="Kyrkvägen 7", zip="22233"))
        feed.added += 1  # one more change event to wait for
        changed = feed.run()
        assert (changed.outcome.read, changed.outcome.sent) == (1, 1)
        published = read_topic(feed.project, feed.settings, feed.project.moves)
        person = moves(2, 1)[0]
        # One key, one partition: the insert's event, then the update's, in that order.
        assert [r for r in published if r["national_id"] == person["national_id"]] == [
            person,
            {**person, "street": "Kyrkvägen 7", "postcode": "22233"},
        ]

    def test_a_delete_is_passed_over(self, feed: CdcFeed):
        feed.add(moves(1, 2))
        feed.run()
        with feed.database.begin() as connection:
            connection.execute(delete(feed.table).where(feed.table.c.person_id == 1))
        # A delete is two messages: the change event and its tombstone.
        feed.added += 2
        after = feed.run()
        assert after.outcome.read == 0
        assert message_count(feed.settings, feed.project.moves) == 2
        assert message_count(feed.settings, change_topic(feed.definition)) == 4


def test_the_worker_reports_its_connectors_and_refuses_one_it_cannot_log_in_for(connect_worker, connector_project, cdc_postgres_url, cdc_schema, monkeypatch):
    status = connect_worker.status()
    assert status.running and status.pid and status.address == f"http://127.0.0.1:{connect_worker.port}"
    # A database URL whose password the worker was not started with: Connect validates and refuses it.
    monkeypatch.setenv("NEWCOMER_DB_URL", cdc_postgres_url)
    (connector_project.connectors_dir / "late.yaml").write_text(
        f"name: late-cdc\nkind: cdc\nagency: population\nsubject: population.person.address_changed\n"
        f"topic: {connector_project.moves}\nurl: ${{NEWCOMER_DB_URL}}\ntable: {cdc_schema}.nothing_here\nkey: id\n"
    )
    with pytest.raises(ConfigurationError, match="refused PUT /connectors/late-cdc/config: .*GOVBUS_CDC_PASSWORD_NEWCOMER_DB_URL"):
        connect_worker.apply([find_definition(connector_project, "late-cdc")], timeout=120)
