"""Reconcile the broker's ACLs with the project's: add what is missing, remove what is not desired.

govbus owns every ACL on the cluster: one a person added by hand is removed by the next apply,
as a resource added outside Terraform is. Super users (``admin``, ``broker``) need no ACLs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
)

from govbus.bus import clients
from govbus.errors import FatalError
from govbus.security.access import Grant
from govbus.security.principals import principal
from govbus.settings import KafkaSettings


@dataclass
class AccessPlan:
    """What an apply adds and removes, and how many ACLs were already right."""

    add: list[Grant] = field(default_factory=list)
    remove: list[Grant] = field(default_factory=list)
    kept: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.add or self.remove)

    def to_dict(self) -> dict:
        return {
            "added": [grant.to_dict() for grant in self.add],
            "removed": [grant.to_dict() for grant in self.remove],
            "kept": self.kept,
            "changed": self.changed,
        }


def plan_access(desired: list[Grant], current: list[Grant]) -> AccessPlan:
    wanted, present = set(desired), set(current)
    return AccessPlan(
        add=sorted(g for g in desired if g not in present),
        remove=sorted(g for g in current if g not in wanted),
        kept=len(wanted & present),
    )


def current_grants(settings: KafkaSettings) -> list[Grant]:
    """Every ACL the broker holds."""
    everything = ACLFilter(
        principal=None,
        host=None,
        operation=ACLOperation.ANY,
        permission_type=ACLPermissionType.ANY,
        resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
    )
    admin = clients.admin(settings)
    try:
        with clients.broker_faults("describing ACLs"):
            acls, _ = admin.describe_acls(everything)
    finally:
        admin.close()
    return [_grant(acl) for acl in acls]


def apply_access(
    desired: list[Grant], settings: KafkaSettings, *, dry_run: bool = False, settle_s: float = 30.0
) -> AccessPlan:
    """Bring the broker's ACLs to ``desired``; safe to repeat (a second run changes nothing).

    Returns once the broker enforces the result (ACLs take effect through the metadata log,
    a moment after the request is acknowledged), so a client started next sees the new rights.
    """
    plan = plan_access(desired, current_grants(settings))
    if dry_run or not plan.changed:
        return plan
    admin = clients.admin(settings)
    try:
        with clients.broker_faults("applying ACLs"):
            if plan.add:
                created = admin.create_acls([_acl(g) for g in plan.add])
                if created["failed"]:
                    raise FatalError(f"the broker refused {len(created['failed'])} ACL(s): {created['failed'][0]}")
            if plan.remove:
                for _, _, error in admin.delete_acls([_acl(g) for g in plan.remove]):
                    if error.errno:
                        raise FatalError(f"the broker refused to remove an ACL: {error}")
    finally:
        admin.close()
    _await_enforced(desired, settings, settle_s)
    return plan


def _await_enforced(desired: list[Grant], settings: KafkaSettings, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while plan_access(desired, current_grants(settings)).changed:
        if time.monotonic() > deadline:
            raise FatalError(f"the broker did not show the applied ACLs within {timeout_s:.0f}s")
        time.sleep(0.2)


def _acl(grant: Grant) -> ACL:
    return ACL(
        principal=principal(grant.principal),
        host=grant.host,
        operation=ACLOperation[grant.operation],
        permission_type=ACLPermissionType[grant.permission],
        resource_pattern=ResourcePattern(ResourceType[grant.resource], grant.name, ACLResourcePatternType[grant.pattern]),
    )


def _grant(acl: ACL) -> Grant:
    pattern = acl.resource_pattern
    return Grant(
        principal=acl.principal.removeprefix("User:"),  # other principal types keep their prefix
        resource=pattern.resource_type.name,
        name=pattern.resource_name,
        operation=acl.operation.name,
        pattern=pattern.pattern_type.name,
        permission=acl.permission_type.name,
        host=acl.host,
    )
