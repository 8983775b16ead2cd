"""Fixtures of the fault suite: a store to land into, and a PostgreSQL cluster to restart."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from govbus.store import Store
from govbus.store.scratch import scratch_store


@pytest.fixture
def fault_store(tmp_path) -> Iterator[Store]:
    """The test PostgreSQL when there is one (CI), else a SQLite file."""
    with scratch_store(tmp_path, os.environ.get("GOVBUS_TEST_POSTGRES_URL")) as store:
        store.migrate()
        yield store


@dataclass
class PrivateCluster:
    """A PostgreSQL cluster of this test module alone, so restarting it disturbs no one else."""

    version: str
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://govbus:govbus@127.0.0.1:{self.port}/govbus"

    def restart(self) -> None:
        subprocess.run(["pg_ctlcluster", self.version, self.name, "restart"], check=True, capture_output=True)


@pytest.fixture(scope="module")
def private_postgres(find_free_ports) -> Iterator[PrivateCluster]:
    if os.geteuid() != 0 or not shutil.which("pg_createcluster"):
        pytest.skip("restarting a store needs a private PostgreSQL cluster: run as root with postgresql installed")
    version = sorted(os.listdir("/usr/lib/postgresql"), key=int)[-1]
    cluster = PrivateCluster(version, f"faults_{uuid.uuid4().hex[:8]}", find_free_ports(1)[0])
    subprocess.run(["pg_createcluster", version, cluster.name, "-p", str(cluster.port), "--start"], check=True, capture_output=True)
    try:
        setup = "CREATE ROLE govbus LOGIN PASSWORD 'govbus'; CREATE DATABASE govbus OWNER govbus;"
        for statement in setup.split("; "):
            subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-p", str(cluster.port), "-X", "-q", "-c", statement], check=True, capture_output=True)
        yield cluster
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, cluster.name], check=False, capture_output=True)
