"""An empty, unmigrated store per test: a SQLite file, or a private schema in the test PostgreSQL."""

from __future__ import annotations

import os

import pytest

from govbus.store.scratch import scratch_store


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request, tmp_path):
    """A store nothing has touched: not migrated, so migrations can be tried on it."""
    url = os.environ.get("GOVBUS_TEST_POSTGRES_URL") if request.param == "postgresql" else None
    if request.param == "postgresql" and not url:
        pytest.skip("GOVBUS_TEST_POSTGRES_URL is not set")
    with scratch_store(tmp_path, url) as store:
        yield store
