"""Publishing and consuming on a real broker: counts add up, bad input lands in the DLQ."""

from __future__ import annotations

import gc

from kafka import KafkaProducer

from govbus.bus.publisher import Publisher
from govbus.bus.replay import list_dead_letters, replay
from govbus.bus.subscriber import Subscriber
from govbus.bus.topics import apply_topics, desired_topics


def test_published_events_come_back_decoded_with_headers(bus_project, kafka_settings, move):
    records = [move(n) for n in range(50)]
    with Publisher(bus_project, kafka_settings) as publisher:
        receipt = publisher.publish(bus_project.moves, records, version=1)
    assert (receipt.read, receipt.sent, receipt.rejected) == (50, 50, 0)
    assert sum(span.count for span in receipt.partitions.values()) == 50
    with Subscriber(bus_project, [bus_project.moves], group_id="readers", settings=kafka_settings) as subscriber:
        events = list(subscriber.events(idle_timeout_s=2))
    assert sorted(e.record["national_id"] for e in events) == sorted(r["national_id"] for r in records)
    first = events[0]
    # Written with v1, read with the latest (v2): the new optional field resolves to its default.
    assert first.writer.version == 1 and first.record["moved_on"] is None
    assert first.key == first.record["national_id"]
    assert {"event_id", "agency", "subject", "occurred_at", "trace_id"} <= first.headers.keys()
    assert first.headers["agency"] == "population"
    assert len({e.headers["event_id"] for e in events}) == 50


def test_a_long_publish_settles_as_it_goes_and_leaves_the_collector_as_it_was(bus_project, kafka_settings, move):
    # Over two settling intervals (4,096 sends each), with a few rejects in between.
    records = [move(n) if n % 3000 else move(n, postcode=n) for n in range(1, 10_001)]
    with Publisher(bus_project, kafka_settings) as publisher:
        receipt = publisher.publish(bus_project.moves, records, version=1)
        assert (receipt.read, receipt.sent, receipt.rejected) == (10_000, 9_997, 3) and receipt.balanced
        spans = receipt.partitions.values()
        assert sum(span.count for span in spans) == 9_997
        assert all(span.last_offset - span.first_offset + 1 == span.count for span in spans)
        assert gc.get_freeze_count() == 0
        # A process that froze its own heap (to fork workers) keeps it frozen.
        gc.freeze()
        try:
            publisher.publish(bus_project.moves, records[:10], version=1)
            # Objects freed while frozen leave the count, so only "still frozen" is exact.
            assert gc.get_freeze_count() > 0
        finally:
            gc.unfreeze()


def test_invalid_records_are_dead_lettered_with_reasons_and_counts_add_up(bus_project, kafka_settings, move):
    records = [move(1), move(2, postcode=11122), move(3), {"street": "x", "postcode": "1", "city": "c"}, "not a record", move(4, national_id="")]
    with Publisher(bus_project, kafka_settings) as publisher:
        receipt = publisher.publish(bus_project.moves, records, version=1)
    assert (receipt.read, receipt.sent, receipt.rejected, receipt.dead_lettered) == (6, 2, 4, 4)
    assert receipt.balanced
    assert [(r.record_number, r.field, r.reason) for r in receipt.rejections] == [
        (2, "postcode", "type_mismatch"),
        (4, "national_id", "missing_field"),
        (5, None, "not_a_record"),
        (6, "national_id", "missing_key"),
    ]
    letters = list_dead_letters(bus_project, bus_project.moves, kafka_settings)
    assert [(d.letter.record_number, d.letter.reason, d.letter.stage) for d in letters] == [
        (2, "type_mismatch", "publish"),
        (4, "missing_field", "publish"),
        (5, "not_a_record", "publish"),
        (6, "missing_key", "publish"),
    ]
    assert b'"postcode": 11122' in letters[0].payload


def test_replay_republishes_fixed_records_once(bus_project, kafka_settings, move):
    with Publisher(bus_project, kafka_settings) as publisher:
        publisher.publish(bus_project.moves, [move(7, postcode=7), move(8, city=None)], version=1)
    first = replay(bus_project, bus_project.moves, {0: move(7)}, kafka_settings)
    assert (first.read, first.republished, len(first.still_failing)) == (2, 1, 1)
    # The record that still fails went back to the DLQ; the fixed one is not offered again.
    second = replay(bus_project, bus_project.moves, None, kafka_settings)
    assert (second.read, second.republished, len(second.still_failing)) == (1, 0, 1)
    with Subscriber(bus_project, [bus_project.moves], group_id=None, settings=kafka_settings) as subscriber:
        landed = [e.record["national_id"] for e in subscriber.events(idle_timeout_s=2)]
    assert landed == [move(7)["national_id"]]


def test_consumer_dead_letters_undecodable_messages_and_carries_on(bus_project, kafka_settings, move):
    raw = KafkaProducer(**kafka_settings.client_config())
    raw.send(bus_project.moves, key=b"19800102-0001", value=b"\xc3\x01garbage!", partition=0)
    raw.send(bus_project.moves, key=b"x", value=b"plain text", partition=0)
    raw.flush()
    raw.close()
    with Publisher(bus_project, kafka_settings) as publisher:
        publisher.publish(bus_project.moves, [move(9)], version=1)
    with Subscriber(bus_project, [bus_project.moves], group_id="landing", settings=kafka_settings) as subscriber:
        events = list(subscriber.events(idle_timeout_s=2))
        assert subscriber.consumed == 3 and subscriber.dead_lettered == 2
    assert [e.record["national_id"] for e in events] == [move(9)["national_id"]]
    letters = list_dead_letters(bus_project, bus_project.moves, kafka_settings)
    assert [(d.letter.reason, d.letter.source_partition, d.letter.source_offset) for d in letters] == [
        ("unknown_fingerprint", 0, 0),
        ("bad_marker", 0, 1),
    ]
    assert letters[1].payload == b"plain text"
    # Offsets were committed after processing, so a restarted consumer sees nothing again.
    with Subscriber(bus_project, [bus_project.moves], group_id="landing", settings=kafka_settings) as again:
        assert list(again.events(idle_timeout_s=1)) == []
        assert again.dead_lettered == 0


def test_wrong_key_is_dead_lettered_at_consume(bus_project, kafka_settings, move):
    from govbus import codec

    schema = bus_project.registry.get("population.person.address_changed", 1)
    raw = KafkaProducer(**kafka_settings.client_config())
    raw.send(bus_project.moves, key=b"someone-else", value=codec.encode(move(5), schema))
    raw.flush()
    raw.close()
    with Subscriber(bus_project, [bus_project.moves], group_id="keys", settings=kafka_settings) as subscriber:
        assert list(subscriber.events(idle_timeout_s=2)) == []
    [letter] = list_dead_letters(bus_project, bus_project.moves, kafka_settings)
    assert (letter.letter.reason, letter.letter.field) == ("wrong_key", "national_id")


def test_topics_apply_is_idempotent_and_aligns_retention(bus_project, kafka_settings, move):
    changes = apply_topics(desired_topics(bus_project), kafka_settings)
    assert {c.action for c in changes} == {"unchanged"}
    bus_project.topics[bus_project.moves].retention = "2d"
    bus_project.topics[bus_project.moves].partitions = 4
    [main, dlq] = apply_topics(desired_topics(bus_project), kafka_settings)
    assert main.action == "updated"
    assert "retention.ms 86400000 -> 172800000" in main.detail and "partitions 3 -> 4" in main.detail
    assert dlq.action == "unchanged"
