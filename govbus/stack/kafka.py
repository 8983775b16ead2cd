"""The local broker: one Kafka node that is both broker and KRaft controller, run from jars.

The jars come from Maven Central through ``infra/kafka/pom.xml`` into ``<root>/.govbus/kafka/libs``;
the node's configuration, data, logs and pid file live in ``<state dir>/kafka``.

With ``security`` on, clients authenticate with SASL/SCRAM-SHA-512 and the StandardAuthorizer
refuses whatever no ACL allows. The admin's password is made on first start and kept in
``<state dir>/secrets/admin.json``; only its salted hash goes into the broker's storage.
"""

from __future__ import annotations

import time
from pathlib import Path

from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

from govbus.bus.connecting import client_of
from govbus.errors import ConfigurationError, FatalError, RetriableError
from govbus.security.principals import ADMIN
from govbus.security.secrets_folder import SecretsFolder
from govbus.settings import KafkaSettings
from govbus.stack.kafka_files import (
    BrokerSecurity,
    ensure_jars,
    find_java,
    format_storage,
    new_cluster_id,
    render_config,
)
from govbus.stack.process import (
    ManagedProcess,
    ServiceStatus,
    port_accepts,
    port_in_use,
)


class LocalBroker:
    """The Kafka node of the local stack; ``up``, ``down`` and ``status`` are safe to repeat."""

    service = "kafka"

    def __init__(
        self,
        root: Path,
        state_dir: Path,
        *,
        port: int = 9092,
        controller_port: int = 9093,
        heap: str = "512m",
        security: bool = False,
    ) -> None:
        self.root = Path(root)
        self.infra_dir = self.root / "infra" / "kafka"
        self.libs_dir = self.root / ".govbus" / "kafka" / "libs"
        self.home = Path(state_dir) / "kafka"
        self.data_dir = self.home / "data"
        self.logs_dir = self.home / "logs"
        self.config_file = self.home / "server.properties"
        self.cluster_id_file = self.home / "cluster-id"
        self.port = port
        self.controller_port = controller_port
        self.heap = heap
        self.security = security
        self.secrets = SecretsFolder(Path(state_dir) / "secrets")
        self._security = BrokerSecurity(security, self.secrets)
        # Written at format time: whether the storage holds the admin's SCRAM credential.
        self.scram_marker = self.home / "scram-formatted"
        self.process = ManagedProcess(self.service, self.home, marker=str(self.config_file))

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client_settings(self) -> KafkaSettings:
        """Settings that reach this node: as the admin when security is on."""
        return self._security.client_settings(self.bootstrap)

    def up(self, timeout: float = 60.0) -> ServiceStatus:
        """Start the node unless it already runs, then wait until it answers a metadata request."""
        stale = self.process.clear_stale()
        notes = [stale] if stale else []
        changed = not self.process.alive()
        if changed:
            self._check_ports_free()
            java = find_java()
            self._prepare(java)
            self.process.start(self._command(java))
        ready_in_s = None if self.answers() else self._wait_ready(timeout)
        status = self.status()
        status.changed, status.ready_in_s = changed, ready_in_s
        status.notes[:0] = notes
        if changed and self.security:
            status.notes.append(
                f"security on: clients authenticate; the admin's password is in {self.secrets.path(ADMIN)}; "
                'act as the admin with: eval "$(govbus agencies env admin)"'
            )
        return status

    def down(self, timeout: float = 30.0) -> ServiceStatus:
        """Stop the node: SIGTERM, and SIGKILL if it is still there after ``timeout`` seconds."""
        stale = self.process.clear_stale()
        notes = [stale] if stale else []
        changed = self.process.alive()
        if changed:
            killed = self.process.stop(timeout)
            notes += [killed] if killed else []
        status = self.status()
        status.changed = changed
        status.notes[:0] = notes
        return status

    def status(self) -> ServiceStatus:
        running = self.process.alive()
        cluster_id = self._answering_cluster_id()
        status = ServiceStatus(
            service=self.service,
            running=running,
            address=self.bootstrap,
            data_dir=self.data_dir,
            log_file=self.logs_dir / "server.log",
            pid=self.process.pid() if running else None,
            uptime_s=self.process.uptime_s(),
            answering=cluster_id is not None and cluster_id == self._cluster_id(),
        )
        if not running and self.process.pid_file.exists():
            status.notes.append(f"stale pid file {self.process.pid_file}; up or down removes it")
        if not running and cluster_id is not None:
            status.notes.append(f"a Kafka broker not started by govbus answers on {self.bootstrap}")
        return status

    def answers(self) -> bool:
        """Whether this node (not some other broker on the port) answers a metadata request."""
        cluster_id = self._answering_cluster_id()
        return cluster_id is not None and cluster_id == self._cluster_id()

    def _answering_cluster_id(self, timeout_ms: int = 3000) -> str | None:
        # A closed port is answered at once; the admin client would wait out its bootstrap timeout.
        if not port_accepts(self.port):
            return None
        config = {
            **self.client_settings().client_config(),
            "client_id": "govbus-stack",
            "bootstrap_timeout_ms": timeout_ms,
            "request_timeout_ms": timeout_ms,
        }
        try:
            admin = client_of(KafkaAdminClient, **config)
        except KafkaError:
            return None
        try:
            return admin.describe_cluster().get("cluster_id")
        except KafkaError:
            return None
        finally:
            admin.close()

    def _wait_ready(self, timeout: float) -> float:
        started = time.monotonic()
        while not self.answers():
            if not self.process.alive():
                self.process.stop()
                raise FatalError(
                    f"kafka exited while starting; from {self.process.console_log}:\n"
                    f"{self._exit_reason()}\n(full log: {self.logs_dir / 'server.log'})"
                )
            if time.monotonic() - started > timeout:
                raise RetriableError(
                    f"kafka (pid {self.process.pid()}) did not answer on {self.bootstrap} within "
                    f"{timeout:.0f}s; see {self.logs_dir / 'server.log'}, or run `govbus down` "
                    "and `govbus up` again"
                )
            time.sleep(0.25)
        return time.monotonic() - started

    def _exit_reason(self, lines: int = 12) -> str:
        # Java's stack frames would push the reason (the "Caused by" lines) out of the tail.
        tail = self.process.log_tail(300).splitlines()
        reason = [line for line in tail if not line.lstrip().startswith(("at ", "... "))]
        return "\n".join(reason[-lines:])

    def _check_ports_free(self) -> None:
        for port, variable in [
            (self.port, "GOVBUS_STACK_KAFKA_PORT"),
            (self.controller_port, "GOVBUS_STACK_KAFKA_CONTROLLER_PORT"),
        ]:
            if port_in_use(port):
                fix = f"stop what holds it, or choose another port with {variable}=<port>"
                if port == self.port:
                    fix += " and GOVBUS_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<port>"
                raise ConfigurationError(f"port {port} on 127.0.0.1 is already in use: {fix}")

    def _prepare(self, java: str) -> None:
        ensure_jars(self.infra_dir / "pom.xml", self.libs_dir)
        render_config(
            self.infra_dir / "server.properties",
            self.config_file,
            port=self.port,
            controller_port=self.controller_port,
            data_dir=self.data_dir,
            **self._security.config_values(),
        )
        if (self.data_dir / "meta.properties").exists():
            if self.security and not self.scram_marker.exists():
                raise ConfigurationError(
                    f"the broker's storage in {self.data_dir} was formatted with security off, so it has no "
                    f"admin credential: start it with GOVBUS_STACK_KAFKA_SECURITY=false, or stop it and remove "
                    f"{self.home} (its events are lost) to start afresh with security on"
                )
            return
        if self._cluster_id() is None:
            self.cluster_id_file.write_text(new_cluster_id() + "\n")
        format_storage(java, self.libs_dir, self.config_file, self._cluster_id(), self._security.format_credentials())
        if self.security:
            self.scram_marker.write_text("admin and broker SCRAM-SHA-512 credentials added at format time\n")

    def _cluster_id(self) -> str | None:
        try:
            return self.cluster_id_file.read_text().strip() or None
        except FileNotFoundError:
            return None

    def _command(self, java: str) -> list[str]:
        return [
            java,
            "-Xms256m",
            f"-Xmx{self.heap}",
            f"-Dlog4j2.configurationFile={self.infra_dir / 'log4j2.yaml'}",
            f"-Dkafka.logs.dir={self.logs_dir}",
            "-cp",
            f"{self.libs_dir}/*",
            "kafka.Kafka",
            str(self.config_file),
        ]
