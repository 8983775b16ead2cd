"""Cursor values keep their type through the store, so the next run compares like with like."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from govbus.connectors.state import decode_value, encode_value


@pytest.mark.parametrize(
    "value",
    [datetime(2026, 3, 1, 8, 0, 0, 123456), datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc), date(2026, 3, 1), Decimal("10.50"), 42, "K-17"],
)
def test_a_cursor_value_comes_back_as_the_same_value_of_the_same_type(value):
    stored = json.loads(json.dumps(encode_value(value)))
    back = decode_value(stored)
    assert back == value and type(back) is type(value)
