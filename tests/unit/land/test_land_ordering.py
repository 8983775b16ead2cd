"""Which of two versions of a row wins: the offset within a partition, the event time across."""

from __future__ import annotations

from datetime import datetime, timezone

from govbus.land.ordering import is_newer
from govbus.land.receipt import LandingReceipt, TopicLanding


def row(partition: int, offset: int, hour: int, topic: str = "population.person.address_changed") -> dict:
    occurred = datetime(2026, 3, 1, hour, tzinfo=timezone.utc)
    return {"_topic": topic, "_partition": partition, "_offset": offset, "_occurred_at": occurred}


def test_within_a_partition_the_higher_offset_wins_whatever_the_clock_says():
    assert is_newer(row(0, 8, hour=1), row(0, 7, hour=9))
    assert not is_newer(row(0, 7, hour=9), row(0, 8, hour=1))


def test_the_same_event_again_is_not_newer():
    assert not is_newer(row(0, 7, hour=3), row(0, 7, hour=3))


def test_across_partitions_the_later_occurrence_wins():
    assert is_newer(row(1, 0, hour=5), row(0, 900, hour=4))
    assert not is_newer(row(1, 900, hour=4), row(0, 0, hour=5))
    assert is_newer(row(0, 0, hour=5, topic="post.address.change_notified"), row(0, 9, hour=4))


def test_a_receipt_balances_only_when_every_message_landed_or_was_dead_lettered():
    receipt = LandingReceipt("govbus.land", {"a": TopicLanding("land_a", landed=7, dead_lettered=2)}, consumed=9)
    assert receipt.balanced and receipt.to_dict()["topics"]["a"]["consumed"] == 9
    receipt.consumed = 10
    assert not receipt.balanced
