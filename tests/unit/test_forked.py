"""Work computed ahead in a forked process: items arrive in order, errors are raised here, leaving stops it."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from govbus.errors import AccessRefused, FatalError, RetriableError
from govbus.forked import computed_ahead


def test_items_arrive_in_order_from_another_process():
    with computed_ahead(lambda: ((n, os.getpid()) for n in range(200))) as items:
        received = list(items)

    assert [n for n, _ in received] == list(range(200))
    assert {pid for _, pid in received} != {os.getpid()} and len({pid for _, pid in received}) == 1


def test_an_error_there_is_raised_here_after_the_items_before_it():
    def pages():
        yield "page 1"
        raise RetriableError("store postgresql://agency is unavailable")

    received = []
    with pytest.raises(RetriableError, match="is unavailable"), computed_ahead(pages) as items:
        for item in items:
            received.append(item)
    assert received == ["page 1"]


def test_an_error_that_cannot_cross_the_pipe_arrives_as_a_fatal_error_with_its_text():
    def refused():
        raise AccessRefused("the broker refused 'tax'", principal="tax")
        yield

    with pytest.raises(FatalError, match="AccessRefused: the broker refused 'tax'"), computed_ahead(refused) as items:
        list(items)


def test_leaving_early_stops_the_process():
    with computed_ahead(lambda: iter(range(10**9))) as items:
        assert next(items) == 0
    assert multiprocessing.active_children() == []
