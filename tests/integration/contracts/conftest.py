"""Contract tests against real services; ``fresh_store`` (both kinds of store) comes from tests/conftest.py."""

from __future__ import annotations

import pytest

from govbus.store.scratch import scratch_store


@pytest.fixture
def sqlite_store(tmp_path):
    """A migrated SQLite store, for tests whose subject is not the database."""
    with scratch_store(tmp_path) as fresh:
        fresh.migrate()
        yield fresh
