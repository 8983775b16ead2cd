"""Making a kafka-python client without leaving its I/O thread behind when it cannot connect."""

from __future__ import annotations

from typing import Callable, TypeVar

from kafka.net.compat import KafkaNetClient

Client = TypeVar("Client")


def client_of(kind: Callable[..., Client], **config) -> Client:
    """``kind(**config)``: a producer, consumer or admin client.

    kafka-python starts the network client's I/O thread before it bootstraps, and when bootstrapping
    fails (no broker, refused credentials) it raises without stopping it; the thread would go on
    reconnecting and logging for the rest of the process's life. Here it is closed.
    """
    started: list[KafkaNetClient] = []

    def network_client(**settings) -> KafkaNetClient:
        started.append(client := KafkaNetClient(**settings))
        return client

    try:
        return kind(**config, kafka_client=network_client)
    except BaseException:
        for client in started:
            client.close()
        raise
