"""Archive work over every core: shares in forked processes come back in order; the read-ahead hands on errors and stops."""

from __future__ import annotations

import os

import pytest

from govbus.holdings.parallel import in_shares, read_ahead


def _where(share: int, shares: int) -> tuple[int, int, int]:
    return share, shares, os.getpid()


def test_shares_come_back_in_order_share_0_from_this_process():
    results = in_shares(_where, 3)

    assert [(share, shares) for share, shares, _ in results] == [(0, 3), (1, 3), (2, 3)]
    pids = [pid for _, _, pid in results]
    assert pids[0] == os.getpid() and len(set(pids)) == 3


def test_an_error_in_a_forked_share_is_raised_here():
    def work(share: int, shares: int) -> int:
        if share == 1:
            raise ValueError("block 7 does not decode")
        return share

    with pytest.raises(ValueError, match="block 7 does not decode"):
        in_shares(work, 2)


def test_the_read_ahead_hands_on_every_batch_in_order():
    batches = ([(n, f"row {n}")] for n in range(50))

    assert [batch[0][0] for batch in read_ahead(batches)] == list(range(50))


def test_an_error_in_the_read_is_raised_to_the_reader():
    def batches():
        yield [(1,)]
        raise RuntimeError("connection lost")

    received = []
    with pytest.raises(RuntimeError, match="connection lost"):
        for batch in read_ahead(batches()):
            received.append(batch)
    assert received == [[(1,)]]


def test_stopping_early_stops_and_closes_the_read():
    closed = []

    def batches():
        try:
            for n in range(1000):
                yield [(n,)]
        finally:
            closed.append(True)

    reading = read_ahead(batches())
    assert next(reading) == [(0,)]
    reading.close()
    assert closed == [True]
