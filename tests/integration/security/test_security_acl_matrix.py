"""Every agency and service against every topic, for writing and reading, on the secured broker.

The broker must allow exactly what the contracts grant and refuse everything else.
"""

from __future__ import annotations

from collections import Counter

import pytest
from kafka.errors import KafkaError
from kafka.structs import TopicPartition

from govbus.bus import clients
from govbus.security.access import desired_grants


def writer(settings):
    # Not idempotent: once the idempotent producer is refused one topic it fails every later
    # send, and the matrix needs one producer per principal to try many topics.
    return clients.producer(settings, enable_idempotence=False, acks=1, retries=0, max_block_ms=20_000)


def refused(exc: Exception) -> bool:
    return "AuthorizationFailed" in type(exc).__name__


def try_write(producer, topic: str) -> bool:
    try:
        producer.send(topic, b"matrix", partition=0).get(timeout=20)
    except KafkaError as exc:
        if refused(exc):
            return False
        raise
    return True


def try_read(consumer, topic: str) -> bool:
    partition = TopicPartition(topic, 0)
    consumer.assign([partition])
    consumer.seek_to_beginning(partition)
    try:
        # Without even DESCRIBE the offset lookup is refused; with only DESCRIBE the fetch is.
        consumer.position(partition)
        for _ in range(20):
            if consumer.poll(timeout_ms=500).get(partition):
                return True
    except KafkaError as exc:
        if refused(exc):
            return False
        raise
    raise AssertionError(f"{topic}: neither records nor a refusal after 10s")


def seed(admin, topics: list[str]) -> None:
    """One event on partition 0 of every topic, so an allowed read has something to return."""
    producer = clients.producer(admin)
    try:
        for topic in topics:
            producer.send(topic, b"seed", partition=0)
        producer.flush()
    finally:
        producer.close()


def test_the_broker_allows_exactly_what_the_contracts_grant(secured_country, report_counts):
    country = secured_country
    grants = {(g.principal, g.name, g.operation) for g in desired_grants(country.project) if g.resource == "TOPIC"}
    prefixes = {(g.principal, g.name, g.operation) for g in desired_grants(country.project) if g.pattern == "PREFIXED" and g.resource == "TOPIC"}
    seed(country.admin, country.topics)
    mismatches, tally = [], Counter()
    for principal in country.principals:
        settings = country.settings(principal)
        producer = writer(settings)
        consumer = clients.consumer(settings, enable_auto_commit=False)
        try:
            for topic in country.topics:
                for operation, attempt, client in (("READ", try_read, consumer), ("WRITE", try_write, producer)):
                    granted = (principal, topic, operation) in grants or any(
                        p == principal and topic.startswith(name) and o == operation for p, name, o in prefixes
                    )
                    allowed = attempt(client, topic)
                    tally[(operation, "allowed" if allowed else "refused")] += 1
                    if allowed != granted:
                        mismatches.append(f"{principal} {operation} {topic}: broker {'allowed' if allowed else 'refused'}")
        finally:
            producer.close()
            consumer.close()
    shown = ", ".join(f"{operation.lower()} {outcome} {count}" for (operation, outcome), count in sorted(tally.items()))
    report_counts(f"{len(country.principals)} principals x {len(country.topics)} topics x 2 operations = {sum(tally.values())} checks: {shown}")
    assert not mismatches, "\n".join(mismatches)
    assert tally[("READ", "allowed")] and tally[("WRITE", "allowed")] and tally[("READ", "refused")] and tally[("WRITE", "refused")]


@pytest.mark.parametrize(
    ("principal", "topic", "operation", "allowed"),
    [
        ("tax", "population.person.registered", "READ", False),  # a field is withheld from Tax: projection only
        ("tax", "population.person.registered.for.tax", "READ", True),
        ("tax", "population.person.address_changed", "READ", True),  # AGR-2026-014 gives Tax every field
        ("migration", "population.person.registered.for.tax", "READ", False),  # another consumer's projection
        ("post", "post.address.change_notified", "WRITE", True),
        ("post", "population.person.address_changed", "WRITE", False),  # a partner cannot pose as the register
        ("social", "tax.taxpayer.registered", "WRITE", False),
        ("border", "population.person.registered.for.migration", "READ", False),  # the chain shares nothing yet
        ("steward", "population.person.registered.quarantine", "READ", True),
        ("tax", "population.person.registered.quarantine", "READ", False),
    ],
)
def test_what_the_agreements_say_in_words(secured_country, principal, topic, operation, allowed):
    country = secured_country
    name = country.topic(topic)
    seed(country.admin, [name])
    settings = country.settings(principal)
    if operation == "WRITE":
        client = clients.producer(settings, max_block_ms=20_000)  # idempotent, as the Publisher's
        outcome = try_write(client, name)
    else:
        client = clients.consumer(settings, enable_auto_commit=False)
        outcome = try_read(client, name)
    client.close()
    assert outcome is allowed


def test_an_agency_may_use_only_consumer_groups_named_after_itself(secured_country):
    country = secured_country
    projection = country.topic("population.person.registered.for.tax")
    seed(country.admin, [projection])
    tax = country.settings("tax")
    own = clients.consumer(tax, group_id="tax.address-sync", auto_offset_reset="earliest", enable_auto_commit=False)
    own.subscribe([projection])
    received = sum(len(batch) for _ in range(20) for batch in own.poll(timeout_ms=500).values())
    own.close()
    assert received >= 1
    posing = clients.consumer(tax, group_id="social.address-sync", auto_offset_reset="earliest", enable_auto_commit=False)
    posing.subscribe([projection])
    with pytest.raises(KafkaError, match="GroupAuthorizationFailed"):
        for _ in range(20):
            posing.poll(timeout_ms=500)
    posing.close()
