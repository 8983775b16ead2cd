"""The local Kafka Connect worker: Debezium for the agencies whose connectors are ``kind: cdc``.

The jars come from Maven Central through ``infra/connect/pom.xml`` into ``<root>/.govbus/connect``;
the worker's configuration, the source offsets (PostgreSQL positions), logs and pid file live in
``<state dir>/connect``. Connectors are created through the worker's REST API each time it starts.
Passwords (the databases', the worker's own) reach it only through its environment.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy.engine import make_url

from govbus.connectors.cdc import debezium_config, password_variable
from govbus.connectors.definition import ConnectorDefinition, load_definitions
from govbus.errors import ConfigurationError, FatalError, RetriableError
from govbus.project import Project
from govbus.security.credentials import settings_as
from govbus.settings import KafkaSettings
from govbus.stack.kafka_files import ensure_jars, find_java, render_config
from govbus.stack.process import ManagedProcess, ServiceStatus, port_in_use, stop_service

MAIN_CLASS = "org.apache.kafka.connect.cli.ConnectStandalone"
# The principal the worker authenticates as, and the variable that carries its password.
CONNECT_PRINCIPAL = "connect"
KAFKA_PASSWORD = "GOVBUS_CONNECT_KAFKA_PASSWORD"


class LocalConnect:
    """The Connect worker of the local stack; ``up``, ``down`` and ``status`` are safe to repeat."""

    service = "connect"

    def __init__(
        self, root: Path, state_dir: Path, definitions: list[ConnectorDefinition], *, kafka: KafkaSettings, port: int = 8083, heap: str = "512m"
    ) -> None:
        """``kafka`` says how the worker reaches the broker, and as whom when security is on."""
        self.root = Path(root)
        self.infra_dir = self.root / "infra" / "connect"
        self.cache_dir = self.root / ".govbus" / "connect"
        self.home = Path(state_dir) / "connect"
        self.worker_file = self.home / "worker.properties"
        self.logs_dir = self.home / "logs"
        self.definitions = definitions
        self.kafka = kafka
        self.port = port
        self.heap = heap
        self.process = ManagedProcess(self.service, self.home, marker=str(self.worker_file))

    @property
    def address(self) -> str:
        """Where the worker's REST API answers."""
        return f"http://127.0.0.1:{self.port}"

    def up(self, timeout: float = 180.0) -> ServiceStatus:
        """Start the worker unless it runs, then wait until every connector's task is running."""
        stale = self.process.clear_stale()
        changed = not self.process.alive()
        if changed:
            if port_in_use(self.port):
                raise ConfigurationError(
                    f"port {self.port} on 127.0.0.1 is already in use: stop what holds it, or choose another "
                    "port with GOVBUS_STACK_CONNECT_PORT=<port>"
                )
            java = find_java()
            ensure_jars(self.infra_dir / "pom.xml", self.cache_dir / "libs")
            render_config(
                self.infra_dir / "connect-standalone.properties",
                self.worker_file,
                bootstrap=self.kafka.bootstrap_servers,
                port=self.port,
                plugin_path=self.cache_dir / "plugins",
                offsets_file=self.home / "offsets.dat",
                kafka_security=self._kafka_security(),
            )
            self.process.start(self._command(java), env={**os.environ, **self._passwords()})
        started = time.monotonic()
        self.apply(self.definitions, timeout)
        status = self.status()
        status.changed = changed
        status.ready_in_s = time.monotonic() - started if changed else None
        status.notes[:0] = [stale] if stale else []
        return status

    def down(self, timeout: float = 30.0) -> ServiceStatus:
        return stop_service(self.process, self.status, timeout)

    def status(self) -> ServiceStatus:
        running = self.process.alive()
        states = self.connector_states() if running else {}
        status = ServiceStatus(
            service=self.service,
            running=running,
            address=self.address,
            data_dir=self.home,
            log_file=self.logs_dir / "connect.log",
            pid=self.process.pid() if running else None,
            uptime_s=self.process.uptime_s(),
            answering=bool(states) and all(state == "RUNNING" for state in states.values()),
        )
        status.notes += [f"connector {name}: {state}" for name, state in states.items() if state != "RUNNING"]
        return status

    def apply(self, definitions: list[ConnectorDefinition], timeout: float = 180.0) -> None:
        """Create or update each connector on the running worker, and wait until its task runs.

        Standalone mode keeps no connector configs across restarts, so ``up`` applies them every time.
        """
        deadline = time.monotonic() + timeout
        while self._call("GET", "/connectors") is None:
            if not self.process.alive():
                raise FatalError(f"kafka connect exited while starting; from {self.process.console_log}:\n{self.process.log_tail(15)}")
            if time.monotonic() > deadline:
                raise RetriableError(f"kafka connect did not answer on {self.address} within {timeout:.0f}s; see {self.logs_dir / 'connect.log'}")
            time.sleep(1.0)
        for definition in definitions:
            try:
                self._call("PUT", f"/connectors/{definition.name}/config", debezium_config(definition))
            except ConfigurationError as exc:
                # An unresolved ${env:...} makes Connect fail without naming it, so name it here.
                raise ConfigurationError(
                    f"{exc}; the worker reads {password_variable(definition)} from the environment it was started "
                    "with: for a new database, restart it (govbus down, then govbus up)"
                ) from exc
        self._wait_running([d.name for d in definitions], deadline)

    def remove(self, name: str) -> None:
        """Stop and delete a connector; its replication slot stays in the database until dropped there."""
        self._call("DELETE", f"/connectors/{name}")

    def connector_states(self) -> dict[str, str]:
        """Each connector's state as the worker reports it: its task's, once it has one."""
        return {name: state for name, (state, _) in self._reports([d.name for d in self.definitions]).items()}

    def _reports(self, names: list[str]) -> dict[str, tuple[str, str]]:
        """Each connector's state and, when its task failed, the first line of why."""
        reports = {}
        for name in names:
            report = self._call("GET", f"/connectors/{name}/status")
            tasks = (report or {}).get("tasks") or []
            if report is None or not tasks:
                reports[name] = ("NOT ANSWERING" if report is None else "STARTING", "")
                continue
            trace = (tasks[0].get("trace") or "").strip().splitlines()
            reports[name] = (tasks[0]["state"], trace[0] if trace else "")
        return reports

    def _wait_running(self, names: list[str], deadline: float) -> None:
        while True:
            if not self.process.alive():
                raise FatalError(f"kafka connect exited; from {self.process.console_log}:\n{self.process.log_tail(15)}")
            reports = self._reports(names)
            for name, (state, reason) in reports.items():
                if state == "FAILED":
                    raise FatalError(f"connector {name} failed on kafka connect: {reason} (see {self.logs_dir / 'connect.log'})")
            if all(state == "RUNNING" for state, _ in reports.values()):
                return
            if time.monotonic() > deadline:
                states = {name: state for name, (state, _) in reports.items()}
                raise RetriableError(
                    f"kafka connect (pid {self.process.pid()}) did not run its connectors in time: {states}; "
                    f"see {self.logs_dir / 'connect.log'}"
                )
            time.sleep(1.0)

    def _call(self, method: str, path: str, body: dict | None = None) -> dict | list | None:
        """One REST call; ``None`` when the worker does not answer or refuses."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.address + path, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
                return json.loads(text) if text else {}
        except urllib.error.HTTPError as exc:
            if method == "GET":
                return None
            raise ConfigurationError(f"kafka connect refused {method} {path}: {exc.read().decode(errors='replace')[:500]}") from exc
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def _kafka_security(self) -> str:
        """How the worker, its producers and its admin client authenticate; the password stays in the environment."""
        kafka = self.kafka
        if not kafka.sasl_mechanism:
            return f"security.protocol={kafka.security_protocol}\n"
        login = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{kafka.sasl_username}" password="${{env:{KAFKA_PASSWORD}}}";'
        )
        settings = {"security.protocol": kafka.security_protocol, "sasl.mechanism": kafka.sasl_mechanism, "sasl.jaas.config": login}
        return "".join(f"{prefix}{key}={value}\n" for prefix in ("", "producer.", "consumer.", "admin.") for key, value in settings.items())

    def _passwords(self) -> dict[str, str]:
        passwords = {password_variable(d): make_url(d.database_url()).password or "" for d in self.definitions}
        if self.kafka.sasl_password is not None:
            passwords[KAFKA_PASSWORD] = self.kafka.sasl_password.get_secret_value()
        return passwords

    def _command(self, java: str) -> list[str]:
        return [
            java,
            "-Xms256m",
            f"-Xmx{self.heap}",
            f"-Dlog4j2.configurationFile={self.infra_dir / 'log4j2.properties'}",
            f"-Dconnect.logs.dir={self.logs_dir}",
            "-cp",
            # The bridge holds the one Kafka class Debezium 3.6 needs from before Kafka 4.4.
            f"{self.cache_dir / 'libs'}/*:{self.cache_dir / 'bridge'}",
            MAIN_CLASS,
            str(self.worker_file),
        ]


def connect_service(project: Project, kafka_bootstrap: str, *, port: int = 8083, heap: str = "512m") -> LocalConnect | None:
    """The worker ``govbus up`` starts, or ``None`` when no connector in ``connectors/`` is ``kind: cdc``.

    It authenticates as ``connect`` where that principal has credentials, else as the environment says.
    """
    cdc = [d for d in load_definitions(project).values() if d.kind == "cdc"]
    if not cdc:
        return None
    kafka = settings_as(project, CONNECT_PRINCIPAL).model_copy(update={"bootstrap_servers": kafka_bootstrap})
    return LocalConnect(project.root, project.state_dir, cdc, kafka=kafka, port=port, heap=heap)
