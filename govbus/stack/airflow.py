"""The local Airflow: api-server, scheduler, dag-processor and triggerer over one AIRFLOW_HOME.

As ``airflow standalone`` does in Airflow 3: LocalExecutor, SQLite metadata in
``<state dir>/airflow`` and the SimpleAuthManager, here by default with everyone an admin and no
login, since the API server listens on 127.0.0.1 only (see ``LocalAirflow.open_access``). The DAGs folder is ``<project>/dags``. Settings reach Airflow as
``AIRFLOW__*`` variables; ``airflow.cfg`` keeps only the secrets Airflow generates on first use,
which all four processes share. Each process is a ``ManagedProcess``; the first ``up`` starts
all that are missing at once, since each spends seconds importing Airflow.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import datetime

from govbus.errors import ConfigurationError, FatalError, RetriableError
from govbus.orchestration.connections import govbus_environment
from govbus.project import Project
from govbus.settings import KafkaSettings
from govbus.stack.process import ManagedProcess, ServiceStatus, output_tail, port_accepts, port_in_use, stop_service

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
# The bus principal Airflow's tasks and triggers act as (govbus.security.principals.SERVICES).
AIRFLOW_PRINCIPAL = "airflow"
# Where the API server's health document reports each component's heartbeat.
_HEARTBEAT = {"scheduler": "scheduler", "dag-processor": "dag_processor", "triggerer": "triggerer"}
_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"


class LocalAirflow:
    """The four Airflow processes of the local stack and what they share."""

    def __init__(
        self,
        project: Project,
        *,
        store_url: str,
        kafka: KafkaSettings,
        port: int = 8080,
        parallelism: int = 4,
        database_url: str | None = None,
    ) -> None:
        self.project = project
        self.home = project.state_dir / "airflow"
        self.dags_folder = project.root / "dags"
        self.port = port
        self.parallelism = parallelism
        self.database_url = database_url or f"sqlite:///{self.home / 'airflow.db'}"
        self.store_url = store_url
        self.kafka = kafka
        self.started_at: dict[str, float] = {}
        self.stale_notes: dict[str, str] = {}
        self.components = [AirflowComponent(self, name) for name in COMPONENTS]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def open_access(self) -> bool:
        """Whether the UI and API let anyone in as admin (the default on 127.0.0.1).

        ``AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=False`` asks for a login instead; Airflow
        then writes the ``admin`` password to ``simple_auth_manager_passwords.json.generated``
        in AIRFLOW_HOME.
        """
        return os.environ.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "True").strip().lower() != "false"

    def environment(self) -> dict[str, str]:
        """The environment of every Airflow process: its settings, then how to reach govbus."""
        settings = {
            "CORE__DAGS_FOLDER": str(self.dags_folder),
            "CORE__LOAD_EXAMPLES": "False",
            "CORE__EXECUTOR": "LocalExecutor",
            "CORE__PARALLELISM": str(self.parallelism),
            # The scenario's DAGs must run as soon as they are parsed, without a click in the UI.
            "CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "CORE__AUTH_MANAGER": _AUTH_MANAGER,
            "CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": str(self.open_access),
            "CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "DATABASE__SQL_ALCHEMY_CONN": self.database_url,
            "API__HOST": "127.0.0.1",
            "API__PORT": str(self.port),
            "API__BASE_URL": self.url,
            "API__WORKERS": "1",
            # New DAG files show up within half a minute rather than Airflow's default five.
            "DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        }
        env = dict(os.environ, AIRFLOW_HOME=str(self.home))
        env.update({f"AIRFLOW__{name}": value for name, value in settings.items()})
        env.update(govbus_environment(self.project, self.store_url, self.kafka))
        return env

    def prepare(self) -> None:
        """Check Airflow is installed and its metadata is migrated; ``airflow db migrate`` runs once per version."""
        if importlib.util.find_spec("airflow") is None:
            raise ConfigurationError(
                "Airflow is not installed in this Python: pip install -e '.[airflow]', "
                "or start only the broker with `govbus up --only kafka`"
            )
        if not self.dags_folder.is_dir():
            raise ConfigurationError(f"no DAGs folder at {self.dags_folder}")
        self.home.mkdir(parents=True, exist_ok=True)
        stamp = self.home / "migrated"
        version = importlib.metadata.version("apache-airflow-core")
        if stamp.exists() and stamp.read_text().strip() == version:
            return
        migrate = subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            env=self.environment(),
            cwd=self.home,
            check=False,
            capture_output=True,
            text=True,
        )
        if migrate.returncode != 0:
            raise FatalError(f"`airflow db migrate` in {self.home} failed:\n{output_tail(migrate)}")
        stamp.write_text(version + "\n")

    def start_missing(self, *, before_the_bus: bool = False) -> None:
        """Start every component that is not running, all at once.

        ``before_the_bus`` starts only the ones that never reach Kafka: the triggerer's bus watcher
        authenticates as soon as it runs, so it waits until a secured broker knows its password.
        """
        missing = [
            c for c in self.components if not c.process.alive() and not (before_the_bus and c.name == "triggerer")
        ]
        if not missing:
            return
        if any(c.name == "api-server" for c in missing) and port_in_use(self.port):
            raise ConfigurationError(
                f"port {self.port} on 127.0.0.1 is already in use: stop what holds it, "
                "or choose another port with GOVBUS_STACK_AIRFLOW_PORT=<port>"
            )
        self.prepare()
        env = self.environment()
        for component in missing:
            stale = component.process.clear_stale()
            if stale:
                self.stale_notes[component.name] = stale
            component.process.start(component.command(), env=env)
            self.started_at[component.name] = time.monotonic()

    def health(self) -> dict | None:
        """The API server's health document, or None while it does not answer."""
        if not port_accepts(self.port):
            return None
        try:
            # One API worker on a busy machine can take seconds to answer while it is still healthy.
            with urllib.request.urlopen(f"{self.url}/api/v2/monitor/health", timeout=10) as response:
                return json.load(response)
        except (OSError, ValueError):
            return None


class AirflowComponent:
    """One Airflow process as a service of the local stack: ``airflow-scheduler`` and so on."""

    def __init__(self, airflow: LocalAirflow, name: str) -> None:
        self.airflow = airflow
        self.name = name
        self.service = f"airflow-{name}"
        # The API server retitles itself "airflow api_server -- host:... port:<port>"; the others
        # keep their command line, which names their pid file.
        marker = str(airflow.port) if name == "api-server" else str(airflow.home / f"{name}.pid")
        self.process = ManagedProcess(name, airflow.home, marker=marker)

    def command(self) -> list[str]:
        argv = [sys.executable, "-m", "airflow", self.name]
        if self.name == "api-server":
            return argv + ["--host", "127.0.0.1", "--port", str(self.airflow.port)]
        # Task and trigger logs are files on this machine, which the API server reads directly.
        skip_serve_logs = ["--skip-serve-logs"] if self.name in {"scheduler", "triggerer"} else []
        return argv + skip_serve_logs + ["--pid", str(self.process.pid_file)]

    def start(self) -> None:
        """Start what of Airflow needs no broker, without waiting, so other services boot meanwhile."""
        self.airflow.start_missing(before_the_bus=True)

    def up(self, timeout: float = 120.0) -> ServiceStatus:
        """Start what is missing of Airflow, then wait until this component is healthy."""
        self.airflow.start_missing()
        stale = self.airflow.stale_notes.pop(self.name, None)
        started = self.airflow.started_at.get(self.name)
        ready_in_s = None
        if not self.answers():
            # One started from another shell may still be starting: wait for it too.
            ready_in_s = self._wait_ready(started or time.monotonic(), timeout)
        elif started is not None:
            ready_in_s = time.monotonic() - started
        # It was seen answering just now; asking again could miss a heartbeat late under load.
        status = self.status(answering=True)
        status.changed, status.ready_in_s = started is not None, ready_in_s
        status.notes[:0] = [stale] if stale else []
        return status

    def down(self, timeout: float = 30.0) -> ServiceStatus:
        return stop_service(self.process, self.status, timeout)

    def status(self, *, answering: bool | None = None) -> ServiceStatus:
        """``answering`` is what the caller has just seen; by default the health check is asked."""
        running = self.process.alive()
        status = ServiceStatus(
            service=self.service,
            running=running,
            address=self.airflow.url,
            data_dir=self.airflow.home,
            log_file=self.process.console_log,
            pid=self.process.pid() if running else None,
            uptime_s=self.process.uptime_s(),
            answering=running and (self.answers() if answering is None else answering),
        )
        if not running and self.process.pid_file.exists():
            status.notes.append(f"stale pid file {self.process.pid_file}; up or down removes it")
        return status

    def answers(self) -> bool:
        """The API server answers its health check; the others beat since this process started."""
        health = self.airflow.health()
        if health is None or self.name == "api-server":
            return health is not None and health.get("metadatabase", {}).get("status") == "healthy"
        key = _HEARTBEAT[self.name]
        beat = health.get(key, {}).get(f"latest_{key}_heartbeat")
        if health.get(key, {}).get("status") != "healthy" or not beat:
            return False
        # A heartbeat left by the process before a restart is not this one's.
        try:
            return datetime.fromisoformat(beat).timestamp() >= self.process.pid_file.stat().st_mtime - 1
        except FileNotFoundError:
            return False

    def _wait_ready(self, started: float, timeout: float) -> float:
        while not self.answers():
            if not self.process.alive():
                self.process.stop()
                raise FatalError(f"{self.service} exited while starting; from {self.process.console_log}:\n{self.process.log_tail(15)}")
            if time.monotonic() - started > timeout:
                raise RetriableError(
                    f"{self.service} (pid {self.process.pid()}) was not healthy at {self.airflow.url}/api/v2/monitor/health "
                    f"within {timeout:.0f}s; see {self.process.console_log}, or run `govbus down` and `govbus up` again"
                )
            time.sleep(0.5)
        return time.monotonic() - started
