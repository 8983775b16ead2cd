"""Archiving and reading back on every core: a read-ahead thread, and work shared out to forked processes.

Encoding and decoding Avro, and the content hash's text, are shared out by ``govbus.forked``;
only the result of each share (compressed blocks, hashed text) comes back through a pipe.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from queue import Empty, Queue

from govbus.forked import again_here, computed_ahead, cores, in_shares

__all__ = ["again_here", "computed_ahead", "cores", "in_shares", "read_ahead"]

_END = object()


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
