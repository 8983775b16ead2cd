"""Kafka clients built from ``KafkaSettings``; connection faults become ``RetriableError``."""

from __future__ import annotations

import struct
from contextlib import contextmanager
from typing import Callable, Iterator

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import AuthorizationError, KafkaConnectionError, KafkaError, KafkaTimeoutError

from govbus.bus.connecting import client_of
from govbus.errors import AccessRefused, RetriableError
from govbus.security.login import refused_credentials
from govbus.settings import KafkaSettings

# Throughput settings: large batches and a short linger let the idempotent producer fill
# requests while acks=all keeps every event durable on the in-sync replicas.
PRODUCER_TUNING = {
    "acks": "all",
    "enable_idempotence": True,
    "linger_ms": 20,
    "batch_size": 512 * 1024,
    "max_in_flight_requests_per_connection": 5,
    "retries": 2**31 - 1,
    "delivery_timeout_ms": 120_000,
}


@contextmanager
def broker_faults(action: str, settings: KafkaSettings | None = None) -> Iterator[None]:
    """Turn the broker being away or slow into a retriable error that names what was tried.

    With the client's ``settings``, a refused login or a refused act names the principal instead:
    the broker closes a connection whose credentials it refuses, which otherwise looks like absence.
    """
    try:
        yield
    except AuthorizationError as exc:
        who = settings.sasl_username if settings else None
        raise AccessRefused(
            f"{action}: the broker refused {who or 'this client'!r} ({exc}): no ACL from the contracts allows it; "
            f"see `govbus access list{f' --principal {who}' if who else ''}`",
            principal=who,
        ) from exc
    except (KafkaConnectionError, KafkaTimeoutError) as exc:
        refusal = refused_credentials(settings, action) if settings else None
        if refusal is not None:
            raise refusal from exc
        raise RetriableError(f"{action}: the broker did not answer ({exc.__class__.__name__}); is it up? try `govbus up`") from exc
    except KafkaError as exc:
        if getattr(exc, "retriable", False):
            raise RetriableError(f"{action}: {exc}") from exc
        raise


def producer(settings: KafkaSettings, **overrides) -> KafkaProducer:
    with broker_faults(f"connecting a producer to {settings.bootstrap_servers}", settings):
        return client_of(KafkaProducer, **settings.client_config(), **{**PRODUCER_TUNING, **overrides})


def key_partitioner(producer: KafkaProducer, topic: str, settings: KafkaSettings | None = None) -> Callable[[bytes], int]:
    """The partition Kafka's default partitioner gives a key (murmur2, as in the Java client).

    kafka-python works it out per event byte by byte and re-sorts the partition list each time;
    a publisher that names the partition itself skips that, and the events still land where any
    other Kafka client would put them.
    """
    with broker_faults(f"finding the partitions of {topic}", settings):
        try:
            partitions = sorted(producer.partitions_for(topic))
        except AuthorizationError:
            # A topic the principal may not write is refused per event, on the receipt, as
            # the producer reports it; None leaves the choice to the producer.
            return lambda key: None
    count = len(partitions)
    return lambda key: partitions[(murmur2(key) & 0x7FFFFFFF) % count]


_MIX = 0x5BD1E995
# Unpackers of n little-endian 32-bit words, for keys up to 256 bytes; longer ones build their own.
_WORDS = tuple(struct.Struct(f"<{n}I").unpack_from for n in range(65))


def murmur2(key: bytes) -> int:
    """MurmurHash2 of ``key`` as Kafka computes it (seed 0x9747b28c), four bytes at a time."""
    length = len(key)
    words = length >> 2
    h = 0x9747B28C ^ length
    for k in (_WORDS[words] if words < 65 else struct.Struct(f"<{words}I").unpack_from)(key):
        k = (k * _MIX) & 0xFFFFFFFF
        k = ((k ^ (k >> 24)) * _MIX) & 0xFFFFFFFF
        h = ((h * _MIX) & 0xFFFFFFFF) ^ k
    if length & 3:
        h = ((h ^ int.from_bytes(key[words << 2 :], "little")) * _MIX) & 0xFFFFFFFF
    h = ((h ^ (h >> 13)) * _MIX) & 0xFFFFFFFF
    return h ^ (h >> 15)


def consumer(settings: KafkaSettings, **config) -> KafkaConsumer:
    with broker_faults(f"connecting a consumer to {settings.bootstrap_servers}", settings):
        return client_of(KafkaConsumer, **settings.client_config(), **config)


def admin(settings: KafkaSettings) -> KafkaAdminClient:
    with broker_faults(f"connecting an admin client to {settings.bootstrap_servers}", settings):
        return client_of(KafkaAdminClient, **settings.client_config())
