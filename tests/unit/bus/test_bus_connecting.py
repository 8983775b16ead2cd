"""A client that cannot connect leaves no I/O thread behind, reconnecting for the rest of the process's life."""

from __future__ import annotations

import socket
import threading

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError

from govbus.bus.connecting import client_of
from govbus.security.login import check_login
from govbus.settings import KafkaSettings


@pytest.fixture
def nobody_listening() -> str:
    """An address on this machine where no broker listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def _io_threads() -> set[int]:
    return {thread.ident for thread in threading.enumerate() if thread.name.startswith("kafka-io-")}


@pytest.mark.parametrize("kind", [KafkaAdminClient, KafkaConsumer, KafkaProducer])
def test_a_client_that_cannot_bootstrap_stops_its_io_thread(kind, nobody_listening):
    before = _io_threads()
    with pytest.raises(KafkaError):
        client_of(kind, bootstrap_servers=[nobody_listening], bootstrap_timeout_ms=1000, client_id="govbus-test")
    assert _io_threads() == before


def test_a_login_check_that_finds_no_broker_leaves_no_thread(nobody_listening):
    before = _io_threads()
    check = check_login(KafkaSettings(bootstrap_servers=nobody_listening), timeout_ms=1000)
    assert check.outcome == "unreachable"
    assert _io_threads() == before

