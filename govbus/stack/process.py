"""A process of the local stack that outlives the command that started it.

Each service (the broker now; the store and Airflow later) keeps a home folder in the state dir
holding its pid file and its console log, so that ``govbus status`` and ``govbus down`` can find
it from another shell.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

# Children started by this Python process: only their Popen can reap them, and an unreaped
# child still answers os.kill(pid, 0) as if it were alive.
_children: dict[int, subprocess.Popen] = {}


@dataclass
class ServiceStatus:
    """What ``up``, ``down`` and ``status`` report about one service of the local stack."""

    service: str
    running: bool
    address: str
    data_dir: Path
    log_file: Path
    pid: int | None = None
    uptime_s: float | None = None
    answering: bool = False
    ready_in_s: float | None = None
    changed: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        fields = asdict(self)
        return {
            key: str(value) if isinstance(value, Path) else value for key, value in fields.items()
        }


class ManagedProcess:
    """A detached process tracked by a pid file in ``home``; its output goes to a console log."""

    def __init__(self, name: str, home: Path, *, marker: str) -> None:
        """``marker`` is part of the process's command line, so a recycled pid is not taken for it."""
        self.name = name
        self.home = home
        self.marker = marker
        self.pid_file = home / f"{name}.pid"
        self.console_log = home / f"{name}.out"

    def pid(self) -> int | None:
        """The pid recorded in the pid file, alive or not."""
        try:
            return int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def alive(self) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        if pid in _children:
            return _children[pid].poll() is None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            return False
        return self.marker.encode() in cmdline

    def uptime_s(self) -> float | None:
        if not self.alive():
            return None
        return max(0.0, time.time() - self.pid_file.stat().st_mtime)

    def clear_stale(self) -> str | None:
        """Remove a pid file whose process is gone; say so, or return None if there was none."""
        pid = self.pid()
        if not self.pid_file.exists() or self.alive():
            return None
        self.pid_file.unlink()
        return f"removed stale pid file {self.pid_file} (pid {pid} is gone)"

    def start(self, argv: list[str], *, env: dict[str, str] | None = None) -> int:
        """Start ``argv`` in its own session, so it survives the shell; return its pid."""
        self.home.mkdir(parents=True, exist_ok=True)
        with self.console_log.open("ab") as log:
            log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(argv)}\n".encode())
            log.flush()
            child = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.home,
                env=env,
                start_new_session=True,
            )
        _children[child.pid] = child
        self.pid_file.write_text(f"{child.pid}\n")
        return child.pid

    def stop(self, timeout: float = 30.0) -> str | None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds; return a note if it had to be killed."""
        pid = self.pid()
        note = None
        if pid is not None and self.alive():
            self._signal(pid, signal.SIGTERM)
            if not self._wait_gone(timeout):
                self._signal(pid, signal.SIGKILL)
                self._wait_gone(10.0)
                note = f"{self.name} (pid {pid}) ignored SIGTERM for {timeout:.0f}s and was killed"
        if pid is not None:
            _children.pop(pid, None)
        self.pid_file.unlink(missing_ok=True)
        return note

    def log_tail(self, lines: int = 20) -> str:
        try:
            with self.console_log.open(errors="replace") as log:
                return "".join(deque(log, maxlen=lines)).rstrip()
        except FileNotFoundError:
            return ""

    @staticmethod
    def _signal(pid: int, signum: int) -> None:
        # The whole session, so that helpers a service forks (Airflow's workers) go with it.
        try:
            os.killpg(pid, signum)
        except ProcessLookupError:
            pass

    def _wait_gone(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True


def output_tail(done: subprocess.CompletedProcess, lines: int = 15) -> str:
    """The last ``lines`` of a finished command's output: what an error message needs of it."""
    return "\n".join((done.stdout + done.stderr).strip().splitlines()[-lines:])


def stop_service(process: ManagedProcess, status: Callable[[], ServiceStatus], timeout: float) -> ServiceStatus:
    """A service's ``down``: stop its process if it runs, and report ``status()`` with what was done."""
    stale = process.clear_stale()
    changed = process.alive()
    killed = process.stop(timeout) if changed else None
    stopped = status()
    stopped.changed = changed
    stopped.notes[:0] = [note for note in (stale, killed) if note]
    return stopped


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something already holds ``host:port``, so a service could not listen there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As servers do, so a just-stopped service's socket in TIME_WAIT is no conflict.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def port_accepts(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """Whether something listens on ``host:port`` and accepts a TCP connection."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
