"""Work in forked processes: shares of a computation on every core, or a stream computed ahead.

Avro encoding, contract checks and the content hash's text are Python work that holds the GIL,
so threads would take turns; processes do not. They are forked, not spawned: a fork starts at
once, with the project, the rows and the modules already in its memory (a spawned process would
import them again, seconds of work), and only its results come back through a pipe. A forked
process only computes and sends: it uses no connection, file or lock of this one (a source that
reads a database there opens connections of its own), and leaves without running this process's
exit handlers.
"""

from __future__ import annotations

import gc
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TypeVar

from govbus.errors import FatalError

T = TypeVar("T")
_ITEM, _END, _ERROR = "item", "end", "error"


def cores() -> int:
    return len(os.sched_getaffinity(0))


def in_shares(work: Callable[[int, int], T], shares: int) -> list[T]:
    """``[work(0, shares), ..., work(shares - 1, shares)]``: share 0 here, the others in forked processes."""
    helpers = []
    try:
        for share in range(1, shares):
            helpers.append(_fork(lambda share=share: (work(share, shares),)))
        results = [work(0, shares)]
        for process, receive in helpers:
            kind, result = _received(process, receive)
            if kind != _ITEM:
                raise FatalError(f"a forked process ended without a result (exit code {process.exitcode})")
            results.append(result)
        return results
    finally:
        for helper in helpers:
            _stop(*helper)


@contextmanager
def computed_ahead(items: Callable[[], Iterable[T]]) -> Iterator[Iterator[T]]:
    """The items of ``items()``, computed in a forked process while this one uses the last.

    The pipe holds little, so the forked process works at most one item ahead of what was taken;
    an error there is raised here, and leaving (also early) stops it.
    """
    process, receive = _fork(items)
    try:
        yield _stream(process, receive)
    finally:
        _stop(process, receive)


def _stream(process: BaseProcess, receive: Connection) -> Iterator[T]:
    while (message := _received(process, receive))[0] == _ITEM:
        yield message[1]


def _fork(items: Callable[[], Iterable[T]]) -> tuple[BaseProcess, Connection]:
    context = get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_send_all, args=(items, send, receive), daemon=True)
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
    return process, receive


def _send_all(items: Callable[[], Iterable[T]], send: Connection, receive: Connection) -> None:
    # Without its copy of the reading end, a process whose reader died gets a broken pipe, not a wait.
    receive.close()
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


def _received(process: BaseProcess, receive: Connection) -> tuple[str, object]:
    try:
        kind, value = receive.recv()
    except EOFError:
        process.join()
        raise FatalError(f"a forked process ended without a result (exit code {process.exitcode})") from None
    if kind == _ERROR:
        raise value
    return kind, value


def _stop(process: BaseProcess, receive: Connection) -> None:
    receive.close()
    if process.is_alive():
        process.kill()
    process.join()
