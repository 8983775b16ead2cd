"""``govbus up`` runs the broker with security unless GOVBUS_STACK_KAFKA_SECURITY=false."""

from __future__ import annotations

from pathlib import Path

import pytest

from govbus.project import load_project
from govbus.stack import local_services

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("value", "secure"), [(None, True), ("true", True), ("false", False)])
def test_the_stack_setting_decides_whether_the_broker_authenticates(monkeypatch, value, secure):
    if value is None:
        monkeypatch.delenv("GOVBUS_STACK_KAFKA_SECURITY", raising=False)
    else:
        monkeypatch.setenv("GOVBUS_STACK_KAFKA_SECURITY", value)
    (broker,) = local_services(load_project(REPO), only=["kafka"])
    assert broker.security is secure
