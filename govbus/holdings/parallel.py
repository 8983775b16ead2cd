"""Archiving and reading back on every core: a read-ahead thread, and work shared out to forked processes.

Encoding and decoding Avro, and the content hash's text, are Python work that holds the GIL, so
threads would take turns; processes do not. They are forked, not spawned: a fork starts at once,
with the rows already in its memory, and only its result (compressed blocks, hashed text) comes
back through a pipe. A forked process only computes and sends; it touches no connection, file or
lock of this one, and leaves without running this process's exit handlers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Generator, Iterator
from multiprocessing import get_context
from queue import Empty, Queue
from typing import TypeVar

from govbus.errors import FatalError

T = TypeVar("T")
_END = object()


def cores() -> int:
    return len(os.sched_getaffinity(0))


def in_shares(work: Callable[[int, int], T], shares: int) -> list[T]:
    """``[work(0, shares), ..., work(shares - 1, shares)]``: share 0 here, the others in forked processes."""
    context = get_context("fork")
    helpers = []
    try:
        for share in range(1, shares):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_run, args=(work, share, shares, send), daemon=True)
            process.start()
            send.close()
            helpers.append((process, receive))
        results = [work(0, shares)]
        for process, receive in helpers:
            try:
                done, result = receive.recv()
            except EOFError:
                process.join()
                raise FatalError(f"a helper process ended without a result (exit code {process.exitcode})") from None
            if not done:
                raise result
            results.append(result)
        return results
    finally:
        for process, receive in helpers:
            receive.close()
            if process.is_alive():
                process.kill()
            process.join()


def _run(work: Callable[[int, int], T], share: int, shares: int, send) -> None:
    try:
        outcome = (True, work(share, shares))
    except Exception as exc:  # raised again in the parent
        outcome = (False, exc)
    send.send(outcome)
    send.close()


def read_ahead(batches: Generator[list[tuple], None, None], depth: int = 2) -> Iterator[list[tuple]]:
    """``batches``, fetched in a thread of their own, so the driver reads the next batch while this one is written.

    Drivers let go of the GIL while they wait on the database, so the read overlaps the hashing and
    the Avro encoding. An error in the read is raised here; stopping early stops the read.
    """
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def fetch() -> None:
        try:
            for batch in batches:
                queue.put(batch)
                if stop.is_set():
                    return
            queue.put(_END)
        except Exception as exc:  # handed over to the consumer, which raises it
            queue.put(exc)
        finally:
            batches.close()

    reader = threading.Thread(target=fetch, name="govbus-holding-read", daemon=True)
    reader.start()
    try:
        while (item := queue.get()) is not _END:
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():  # a reader waiting on a full queue gets room to see the stop
            try:
                queue.get(timeout=0.05)
            except Empty:
                pass
