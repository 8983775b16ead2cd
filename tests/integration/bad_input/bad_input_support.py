"""Helpers of the bad-input suite: encoding records by hand, and reading what the DLQ and quarantine hold."""

from __future__ import annotations

from collections import Counter

from govbus import codec
from govbus.bus.dead_letter import DeadLetter, dead_letter_topic
from govbus.bus.quarantine import QuarantineNote, quarantine_topic


def encoded(project, topic: str, record: dict) -> bytes:
    return codec.encode(record, project.registry.get(project.topics[topic].subject))


def dead_letter_reasons(read_topic, settings, topic: str) -> Counter:
    return Counter(DeadLetter.from_kafka(m.headers).reason for m in read_topic(settings, dead_letter_topic(topic)))


def quarantine_clauses(read_topic, settings, topic: str) -> Counter:
    notes = [QuarantineNote.from_kafka(m.headers) for m in read_topic(settings, quarantine_topic(topic))]
    return Counter(f"{note.agreement} {note.clause} {note.field}" for note in notes)
