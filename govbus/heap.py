"""Keeping a process's heap out of the garbage collector's way during bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def heap_set_aside() -> Iterator[None]:
    """Keep what the process already holds out of the garbage collector's passes for a while.

    Bulk work (a publish of many events, a run's golden records) allocates per item, which sets
    off full collections, and each would walk every object the process holds: the caller's records,
    Splink's and pandas' objects. That walk cost more than the work itself. Cycles made meanwhile
    are still collected. A process that froze its heap itself (to fork workers) is left as it is.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
