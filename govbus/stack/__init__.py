"""The local stack behind ``govbus up``: the broker now, the store and Airflow later.

Each service is a ``ManagedProcess`` (pid file, console log, start, stop) wrapped by a class
that knows how to prepare, probe and report it as a ``ServiceStatus``.
"""

from govbus.stack.kafka import LocalBroker
from govbus.stack.kafka_files import new_cluster_id
from govbus.stack.local import LocalStackSettings, local_services
from govbus.stack.process import (
    ManagedProcess,
    ServiceStatus,
    port_accepts,
    port_in_use,
)

__all__ = [
    "LocalBroker",
    "LocalStackSettings",
    "ManagedProcess",
    "ServiceStatus",
    "local_services",
    "new_cluster_id",
    "port_accepts",
    "port_in_use",
]
