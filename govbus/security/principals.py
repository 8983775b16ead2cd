"""Who may authenticate to the bus: each agency of govbus.yaml and each govbus service.

As in X-Road, every member has an identity of its own; services do not borrow an agency's.
The Kafka principal of a name is ``User:<name>``.
"""

from __future__ import annotations

from govbus.errors import ConfigurationError
from govbus.project import Project

# The bootstrap super user, created when the broker's storage is formatted.
ADMIN = "admin"
# The node's own identity towards its controller and itself; never given to a client.
BROKER = "broker"

# The services that run in the local stack, named where the stack and the ACLs both need them.
AIRFLOW = "airflow"
CONNECT = "connect"
RECONCILER = "reconciler"
# What each service does on the bus; its access is derived in govbus.security.access.
SERVICES: dict[str, str] = {
    RECONCILER: "reads what the contracts give the registry, writes registry.* topics",
    AIRFLOW: "lands every topic into the store and dead-letters what it cannot read",
    "steward": "reviews dead letters and quarantined events, releases and replays them",
    "projector": "publishes each consumer's projection of topics with personal fields",
    CONNECT: "runs Debezium in Kafka Connect: writes each cdc connector's change topics",
}


def principal(name: str) -> str:
    """The Kafka principal of ``name``; one that already names its type is left as it is."""
    return name if ":" in name else f"User:{name}"


def known_principals(project: Project) -> dict[str, str]:
    """Every name that may get credentials, with what it is."""
    names = {code: agency.name for code, agency in project.agencies.items()}
    names.update({name: f"govbus service: {role}" for name, role in SERVICES.items()})
    names[ADMIN] = "bootstrap super user"
    return names


def check_principal(project: Project, name: str) -> str:
    """``name`` if it is an agency, a service or the admin; else a one-line error listing them."""
    known = known_principals(project)
    if name == BROKER:
        raise ConfigurationError(f"{BROKER!r} is the broker's own identity and cannot be given to a client")
    if name not in known:
        raise ConfigurationError(
            f"unknown principal {name!r}: not an agency in govbus.yaml nor a govbus service "
            f"(known: {', '.join(sorted(known))})"
        )
    return name
