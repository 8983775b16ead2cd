"""Work computed ahead in a forked process: items arrive in order, errors are raised here, leaving stops it,
and garbage inherited at the fork is never finalised there."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading

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


class _LockedFinaliser:
    """Garbage whose finaliser takes a lock, as a logging handler's finaliser does."""

    def __init__(self, lock: threading.Lock) -> None:
        self.lock = lock
        self.cycle = self  # only a collection, not a reference count, frees it

    def __del__(self) -> None:
        with self.lock:
            pass


def _kill_forked_processes() -> None:
    for process in multiprocessing.active_children():
        process.kill()


def test_a_collection_in_the_forked_process_does_not_wait_for_a_lock_held_at_the_fork():
    lock, holding, forked = threading.Lock(), threading.Event(), threading.Event()

    def hold_the_lock_across_the_fork() -> None:
        with lock:
            holding.set()
            forked.wait()

    def collected_there():
        gc.collect()
        yield "collected"

    collecting = gc.isenabled()
    # Off here so that the garbage is still uncollected when the fork copies it.
    gc.disable()
    holder = threading.Thread(target=hold_the_lock_across_the_fork)
    # A hung process is killed, so its end reaches this process as a FatalError instead of a wait.
    watchdog = threading.Timer(10, _kill_forked_processes)
    try:
        _LockedFinaliser(lock)
        holder.start()
        holding.wait()
        watchdog.start()
        with computed_ahead(collected_there) as results:
            forked.set()
            holder.join()
            try:
                received = list(results)
            except FatalError as exc:
                pytest.fail(f"the forked process never finished its collection, a finaliser waited there ({exc})")
    finally:
        watchdog.cancel()
        forked.set()
        holder.join()
        if collecting:
            gc.enable()
        gc.collect()

    assert received == ["collected"]
