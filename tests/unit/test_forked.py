"""Work computed ahead in a forked process: items arrive in order, errors are raised here, leaving stops it,
garbage inherited at the fork is never finalised there, and a process stuck on a lock held at the fork
is not waited for."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading

import pytest

from govbus import forked
from govbus.errors import AccessRefused, FatalError, RetriableError
from govbus.forked import ForkedProcessStuck, again_here, computed_ahead, in_shares


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


@pytest.fixture
def held_across_the_fork(monkeypatch):
    """A lock another thread holds while the process forks, and lets go of here once forked: the forked
    copy stays held for good. A forked process is taken as stuck after a second."""
    monkeypatch.setattr(forked, "STUCK_AFTER_S", 1.0)
    lock, holding, forked_now = threading.Lock(), threading.Event(), threading.Event()

    def hold_until_forked() -> None:
        with lock:
            holding.set()
            forked_now.wait()

    holder = threading.Thread(target=hold_until_forked)
    holder.start()
    holding.wait()
    fork = forked._fork

    def fork_then_let_go(items):
        made = fork(items)
        forked_now.set()
        return made

    monkeypatch.setattr(forked, "_fork", fork_then_let_go)
    yield lock
    forked_now.set()
    holder.join()


def test_a_collection_in_the_forked_process_does_not_wait_for_a_lock_held_at_the_fork(held_across_the_fork):
    def collected_there():
        gc.collect()
        yield "collected"

    collecting = gc.isenabled()
    # Off here so that the garbage is still uncollected when the fork copies it.
    gc.disable()
    try:
        _LockedFinaliser(held_across_the_fork)
        with computed_ahead(collected_there) as results:
            try:
                received = list(results)
            except ForkedProcessStuck as exc:
                pytest.fail(f"the forked process never finished its collection, a finaliser waited there ({exc})")
    finally:
        if collecting:
            gc.enable()
        gc.collect()

    assert received == ["collected"]


def _waits_there_after(taken: int, lock: threading.Lock, parent: int):
    def items():
        for n in range(5):
            if n == taken and os.getpid() != parent:
                with lock:  # the forked copy of a lock held at the fork: never released there
                    pass
            yield n
    return items


def test_a_process_stuck_on_a_lock_held_at_the_fork_is_named_with_where_it_waits(held_across_the_fork):
    received = []
    with pytest.raises(ForkedProcessStuck, match=r"on a lock held at the fork, in: .*line \d+ in items"):
        with computed_ahead(_waits_there_after(2, held_across_the_fork, os.getpid())) as items:
            received.extend(items)
    assert received == [0, 1]
    assert multiprocessing.active_children() == []


def test_the_rest_is_computed_here_once_the_forked_process_is_stuck(held_across_the_fork):
    items = _waits_there_after(2, held_across_the_fork, os.getpid())

    with computed_ahead(items, again_here(items)) as received:
        assert list(received) == [0, 1, 2, 3, 4]
    assert multiprocessing.active_children() == []


def test_a_share_whose_process_is_stuck_is_worked_out_here(held_across_the_fork):
    parent = os.getpid()

    def work(share, shares):
        if share == 1 and os.getpid() != parent:
            with held_across_the_fork:
                pass
        return share * 10, os.getpid() == parent

    assert in_shares(work, 2) == [(0, True), (10, True)]
