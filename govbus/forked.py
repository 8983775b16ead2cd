"""Work in forked processes: shares of a computation on every core, or a stream computed ahead.

Avro encoding, contract checks and the content hash's text are Python work that holds the GIL,
so threads would take turns; processes do not. They are forked, not spawned: a fork starts at
once, with the project, the rows and the modules already in its memory (a spawned process would
import them again, seconds of work), and only its results come back through a pipe. A forked
process only computes and sends: it uses no connection, file or lock of this one (a source that
reads a database there opens connections of its own), and leaves without running this process's
exit handlers.

A fork copies every lock in the state it was in, and a lock another thread held at that moment
(a stream's, a logging handler's, SQLite's own) is never released in the copy: no thread of the
new process holds it. A forked process found waiting on one is stuck for good, so it is not
waited for: its stack is taken for the log, and the work goes on here, or fails with
``ForkedProcessStuck`` where it cannot.
"""

from __future__ import annotations

import faulthandler
import gc
import logging
import os
import pickle
import select
import signal
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import IO, TypeVar

from govbus.errors import FatalError

T = TypeVar("T")
_ITEM, _END, _ERROR = "item", "end", "error"
# A forked process seen waiting on a lock this long, with no other thread of its own, is stuck.
STUCK_AFTER_S = 5.0
_LOOK_EVERY_MS = 500

log = logging.getLogger(__name__)


class ForkedProcessStuck(FatalError):
    """A forked process waits on a lock that was held at the fork, which nothing there will release."""


@dataclass
class _Forked:
    process: BaseProcess
    receive: Connection
    # where the forked process writes its stack when asked (SIGUSR1), to say where it is stuck
    stack: IO[bytes]
    # a poll of the pipe made once: Connection.poll builds a selector on every call
    arrived: select.poll = field(init=False)

    def __post_init__(self) -> None:
        self.arrived = select.poll()
        self.arrived.register(self.receive.fileno(), select.POLLIN)


def cores() -> int:
    return len(os.sched_getaffinity(0))


def in_shares(work: Callable[[int, int], T], shares: int) -> list[T]:
    """``[work(0, shares), ..., work(shares - 1, shares)]``: share 0 here, the others in forked
    processes; a share whose process is stuck is worked out here."""
    helpers = []
    try:
        for share in range(1, shares):
            helpers.append(_fork(lambda share=share: (work(share, shares),)))
        results = [work(0, shares)]
        for share, helper in enumerate(helpers, start=1):
            try:
                kind, result = _received(helper)
            except ForkedProcessStuck:
                kind, result = _ITEM, work(share, shares)
            if kind != _ITEM:
                raise FatalError(f"a forked process ended without a result (exit code {helper.process.exitcode})")
            results.append(result)
        return results
    finally:
        for helper in helpers:
            _stop(helper)


@contextmanager
def computed_ahead(items: Callable[[], Iterable[T]], rest: Callable[[int], Iterable[T]] | None = None) -> Iterator[Iterator[T]]:
    """The items of ``items()``, computed in a forked process while this one uses the last.

    The pipe holds little, so the forked process works at most one item ahead of what was taken;
    an error there is raised here, and leaving (also early) stops it. Should the forked process get
    stuck, ``rest(taken)`` gives the items after the first ``taken``, computed here; without it,
    ``ForkedProcessStuck`` is raised.
    """
    forked = _fork(items)
    try:
        yield _stream(forked, rest)
    finally:
        _stop(forked)


def again_here(items: Callable[[], Iterable[T]]) -> Callable[[int], Iterable[T]]:
    """A ``rest`` for items that come out the same every time: all worked out again here, less those taken."""
    return lambda taken: islice(items(), taken, None)


def _stream(forked: _Forked, rest: Callable[[int], Iterable[T]] | None) -> Iterator[T]:
    taken = 0
    try:
        while (message := _received(forked))[0] == _ITEM:
            taken += 1
            yield message[1]
    except ForkedProcessStuck:
        if rest is None:
            raise
        yield from rest(taken)


def _fork(items: Callable[[], Iterable[T]]) -> _Forked:
    context = get_context("fork")
    receive, send = context.Pipe(duplex=False)
    stack = tempfile.TemporaryFile()
    process = context.Process(target=_send_all, args=(items, send, receive, stack), daemon=True)
    # No collection may run in the new process before it sets the inherited heap aside: a finaliser
    # of this process's garbage could wait there for a lock another thread held at the fork (a
    # logging handler's), which no thread of the new process will ever release.
    collecting = gc.isenabled()
    gc.disable()
    try:
        process.start()
    finally:
        if collecting:
            gc.enable()
    send.close()
    return _Forked(process, receive, stack)


def _send_all(items: Callable[[], Iterable[T]], send: Connection, receive: Connection, stack: IO[bytes]) -> None:
    # Without its copy of the reading end, a process whose reader died gets a broken pipe, not a wait.
    receive.close()
    # The stack is written from the signal handler itself, so even a process stuck on a lock answers.
    faulthandler.register(signal.SIGUSR1, file=stack, all_threads=False)
    # What was inherited stays out of the collector's passes, which would copy every page they touch
    # and run the finalisers of this process's garbage; what this process makes is collected.
    gc.freeze()
    gc.enable()
    try:
        for item in items():
            send.send((_ITEM, item))
        last = (_END, None)
    except Exception as exc:  # raised again in the reader, if it is still there
        last = (_ERROR, _portable(exc))
    try:
        send.send(last)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the reader has gone: nothing waits for the rest
    send.close()


def _portable(exc: Exception) -> Exception:
    """``exc`` if it survives the pipe, else a ``FatalError`` with its text (some take keyword-only arguments)."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return FatalError(f"{type(exc).__name__}: {exc}")


def _received(forked: _Forked) -> tuple[str, object]:
    _wait_unless_stuck(forked)
    try:
        kind, value = forked.receive.recv()
    except EOFError:
        forked.process.join()
        raise FatalError(f"a forked process ended without a result (exit code {forked.process.exitcode})") from None
    if kind == _ERROR:
        raise value
    return kind, value


def _wait_unless_stuck(forked: _Forked) -> None:
    """Until the forked process has sent something (or ended); ``ForkedProcessStuck`` if it waits on a lock meanwhile."""
    waiting_since = None
    while not forked.arrived.poll(_LOOK_EVERY_MS):
        if not _waits_on_a_lock(forked.process.pid):
            waiting_since = None
        elif waiting_since is None:
            waiting_since = time.monotonic()
        elif time.monotonic() - waiting_since >= STUCK_AFTER_S:
            where = _stack_of(forked)
            log.warning("a forked process (pid %s) is stuck on a lock held at the fork:\n%s", forked.process.pid, where)
            _stop(forked)
            innermost = [line.strip() for line in where.splitlines()[1:4]]
            raise ForkedProcessStuck(
                f"a forked process waited {STUCK_AFTER_S:.0f}s on a lock held at the fork, in: {' < '.join(innermost) or 'an unknown place'}"
            )


def _waits_on_a_lock(pid: int | None) -> bool:
    """The process sleeps on a futex with no other thread of its own: nothing there can wake it."""
    try:
        with open(f"/proc/{pid}/wchan") as waits_in:
            sleeping_on = waits_in.read()
        threads = len(os.listdir(f"/proc/{pid}/task"))
    except OSError:  # ended meanwhile, or no /proc: it is not taken as stuck
        return False
    return threads == 1 and "futex" in sleeping_on


def _stack_of(forked: _Forked) -> str:
    """The forked process's stack, most recent call first, as faulthandler writes it on SIGUSR1."""
    try:
        os.kill(forked.process.pid, signal.SIGUSR1)
    except ProcessLookupError:
        return ""
    written, deadline = "", time.monotonic() + 2.0
    while time.monotonic() < deadline:
        time.sleep(0.1)
        forked.stack.seek(0)
        so_far = forked.stack.read().decode(errors="replace")
        if so_far and so_far == written:  # written in full: nothing came since the last look
            break
        written = so_far
    return written


def _stop(forked: _Forked) -> None:
    forked.receive.close()
    if forked.process.is_alive():
        forked.process.kill()
    forked.process.join()
    forked.stack.close()
