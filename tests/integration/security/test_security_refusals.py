"""Refusals name who was refused and for what: a topic outside the agreements, a wrong password.

Without this, the broker's silence reads as something else: a topic it hides reads as empty,
and credentials it refuses look like a broker that is down.
"""

from __future__ import annotations

import threading

import pytest
from pydantic import SecretStr

from govbus.bus.publisher import Publisher
from govbus.bus.subscriber import Subscriber
from govbus.errors import AccessRefused
from govbus.security.access import desired_grants


def unreadable_topic(country, principal: str) -> str:
    """A topic of the project that no grant lets ``principal`` read."""
    readable = {g.name for g in desired_grants(country.project) if g.principal == principal and g.operation == "READ"}
    return next(name for name in sorted(country.project.topics) if name not in readable)


@pytest.mark.parametrize("group_id", [None, "post.audit-check"])
def test_reading_a_topic_no_agreement_gives_is_refused_naming_the_principal_and_the_topic(secured_country, group_id):
    topic = unreadable_topic(secured_country, "post")
    running = set(threading.enumerate())
    with pytest.raises(AccessRefused, match=rf"'post' may not read {topic}: no agreement in force") as refused:
        Subscriber(secured_country.project, [topic], group_id=group_id, settings=secured_country.settings("post"))
    assert (refused.value.principal, refused.value.resource) == ("post", topic)
    # The refused subscriber's consumer is closed: no client thread stays behind.
    assert [thread.name for thread in set(threading.enumerate()) - running if thread.name.startswith("kafka-io-")] == []


def test_a_topic_the_agreements_give_reads_without_refusal(secured_country):
    grants = desired_grants(secured_country.project)
    topic = next(g.name for g in grants if g.principal == "airflow" and g.operation == "READ" and g.name in secured_country.project.topics)
    with Subscriber(secured_country.project, [topic], group_id=None, settings=secured_country.settings("airflow")) as reader:
        assert {tp.topic for tp in reader.assignment()} == {topic}
        assert reader.lag() >= 0


def test_a_rejected_password_is_reported_as_refused_credentials_not_as_an_absent_broker(secured_country):
    wrong = secured_country.settings("tax").model_copy(update={"sasl_password": SecretStr("not-the-password"), "request_timeout_ms": 5_000})
    with pytest.raises(AccessRefused, match="refused the credentials of 'tax'.*govbus agencies add tax --rotate") as refused:
        Publisher(secured_country.project, wrong)
    assert refused.value.principal == "tax"
