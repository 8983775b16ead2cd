"""What every bench script shares: a broker to run against and the closing JSON line."""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def bench_broker(bootstrap: str | None) -> Iterator[str]:
    """Use the given broker, else start a private one so the figures do not depend on other work."""
    if bootstrap:
        yield bootstrap
        return
    from govbus.stack import LocalBroker

    with tempfile.TemporaryDirectory(prefix="govbus-bench-") as state:
        node = LocalBroker(REPO, Path(state), port=_free_port(), controller_port=_free_port(), heap="1g")
        node.up(timeout=120)
        try:
            yield node.bootstrap
        finally:
            node.down()


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


class Stopwatch:
    def __enter__(self) -> "Stopwatch":
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


def finish(figures: dict) -> None:
    """Print the figures as the last line, one JSON object, for scripts and the README."""
    sys.stdout.write(json.dumps(figures, sort_keys=True) + "\n")
    sys.stdout.flush()


def default_bootstrap() -> str | None:
    return os.environ.get("GOVBUS_BENCH_BOOTSTRAP")
