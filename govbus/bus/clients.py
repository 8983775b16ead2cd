"""Kafka clients built from ``KafkaSettings``; connection faults become ``RetriableError``."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import AuthorizationError, KafkaConnectionError, KafkaError, KafkaTimeoutError

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
        return KafkaProducer(**settings.client_config(), **{**PRODUCER_TUNING, **overrides})


def consumer(settings: KafkaSettings, **config) -> KafkaConsumer:
    with broker_faults(f"connecting a consumer to {settings.bootstrap_servers}", settings):
        return KafkaConsumer(**settings.client_config(), **config)


def admin(settings: KafkaSettings) -> KafkaAdminClient:
    with broker_faults(f"connecting an admin client to {settings.bootstrap_servers}", settings):
        return KafkaAdminClient(**settings.client_config())
