"""Checking a login: does the broker accept these credentials?

kafka-python does not raise when the broker refuses credentials while bootstrapping: the broker
closes the connection in the middle of the SASL exchange, and the client retries until its timeout,
which then reads like an unreachable broker. A login check listens to the client's log: a broker
that took part in a SASL exchange and still let no connection through refused the credentials.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from govbus.bus.connecting import client_of
from govbus.errors import AccessRefused
from govbus.settings import KafkaSettings

_CLIENT_LOGGER = "kafka"
_SASL_LOGGER = "kafka.net.sasl"


class _SaslExchanges(logging.Handler):
    """Counts the SASL exchanges the client began and the refusals it was told of outright."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.exchanges = 0
        self.refusals: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.name.startswith(_SASL_LOGGER):
            self.exchanges += 1
        if "AuthenticationFailed" in message:
            self.refusals.append(message)


@contextmanager
def _listening() -> Iterator[_SaslExchanges]:
    handler = _SaslExchanges()
    logger = logging.getLogger(_CLIENT_LOGGER)
    sasl_logger = logging.getLogger(_SASL_LOGGER)
    level = sasl_logger.level
    # The mechanisms log each exchange at WARNING (credentials "in the clear" over SASL_PLAINTEXT).
    sasl_logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        sasl_logger.setLevel(level)


@dataclass(frozen=True)
class LoginCheck:
    """``accepted``, ``refused`` (wrong name or password) or ``unreachable``."""

    principal: str | None
    outcome: str
    detail: str = ""


def check_login(settings: KafkaSettings, timeout_ms: int = 10_000) -> LoginCheck:
    """Connect once with ``settings`` and say whether the broker accepted them."""
    config = {**settings.client_config(), "bootstrap_timeout_ms": timeout_ms, "request_timeout_ms": timeout_ms}
    with _listening() as heard:
        try:
            client_of(KafkaAdminClient, **config).close()
        except KafkaError as exc:
            if heard.refusals or heard.exchanges:
                reason = heard.refusals[0] if heard.refusals else "the broker closed the connection during SASL authentication"
                return LoginCheck(settings.sasl_username, "refused", f"{reason}: wrong name or password")
            return LoginCheck(settings.sasl_username, "unreachable", str(exc))
    return LoginCheck(settings.sasl_username, "accepted")


def refused_credentials(settings: KafkaSettings, action: str) -> AccessRefused | None:
    """After a client could not connect: the error to raise if the broker refuses ``settings``' login.

    ``None`` when no SASL login was tried or the broker is truly away, so the caller reports that.
    """
    if not settings.sasl_mechanism:
        return None
    check = check_login(settings, timeout_ms=5_000)
    if check.outcome != "refused":
        return None
    name = check.principal
    return AccessRefused(
        f"{action}: the broker refused the credentials of {name!r} ({check.detail}); use the password "
        f"kept in .govbus/secrets or set GOVBUS_KAFKA_SASL_PASSWORD, or issue a new one with "
        f"`govbus agencies add {name} --rotate`",
        principal=name,
    )
