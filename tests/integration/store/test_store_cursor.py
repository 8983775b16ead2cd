"""Connector cursors survive in the store, and commit with the writes they belong to."""

from __future__ import annotations

import pytest

from govbus.store.cursor import get_cursor, set_cursor


def test_a_cursor_is_empty_until_set_then_moves(fresh_store):
    assert get_cursor(fresh_store, "tax.taxpayers") is None
    set_cursor(fresh_store, "tax.taxpayers", "1041")
    set_cursor(fresh_store, "tax.taxpayers", "2077")
    set_cursor(fresh_store, "post.notices", "2026-03-01T10:00:00+00:00")

    assert get_cursor(fresh_store, "tax.taxpayers") == "2077"
    assert get_cursor(fresh_store, "post.notices") == "2026-03-01T10:00:00+00:00"


def test_a_cursor_set_in_a_failed_transaction_does_not_move(fresh_store):
    set_cursor(fresh_store, "tax.taxpayers", "1041")

    with pytest.raises(RuntimeError), fresh_store.begin() as connection:
        set_cursor(fresh_store, "tax.taxpayers", "9999", connection=connection)
        raise RuntimeError("the broker never acknowledged the batch")

    assert get_cursor(fresh_store, "tax.taxpayers") == "1041"
