"""A secured bus brought to what the project says: its identities registered, its ACLs applied.

``govbus up`` calls ``secure_bus`` once the broker answers, so a stack started with security on
works at once: Airflow and the other services authenticate as themselves and the contracts'
ACLs are in force. ``govbus access apply`` applies the ACLs alone, after a contract changes.
"""

from __future__ import annotations

from govbus.audit.log import record_for_project
from govbus.project import Project
from govbus.security.access import desired_grants
from govbus.security.acls import AccessPlan, apply_access
from govbus.security.credentials import register, secrets_folder
from govbus.security.principals import ADMIN, BROKER, SERVICES, known_principals
from govbus.settings import KafkaSettings


def apply_project_access(project: Project, admin: KafkaSettings, *, dry_run: bool = False) -> AccessPlan:
    """Reconcile the broker's ACLs with the contracts; a change is recorded in the audit log."""
    plan = apply_access(desired_grants(project), admin, dry_run=dry_run)
    if plan.changed and not dry_run:
        summary = {"added": [str(g) for g in plan.add], "removed": [str(g) for g in plan.remove]}
        record_for_project(project, "access", ADMIN, summary)
    return plan


def secure_bus(project: Project, admin: KafkaSettings) -> list[str]:
    """Register every service's password and every kept one, then apply the ACLs; notes for ``up``.

    Registering again is harmless (the broker replaces the hash), and it lets a broker whose
    storage was formatted anew know the identities the secrets folder still holds.
    """
    folder = secrets_folder(project)
    known = known_principals(project)
    names = sorted({*SERVICES, *(name for name in folder.principals() if name in known)} - {ADMIN, BROKER})
    for name in names:
        register(name, folder.ensure(name), admin)
    plan = apply_project_access(project, admin)
    return [
        f"security: {len(names)} identities registered ({', '.join(names)}); "
        f"ACLs from the contracts: {len(plan.add)} added, {len(plan.remove)} removed, {plan.kept} unchanged"
    ]
