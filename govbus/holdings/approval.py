"""A steward's approval of a retirement plan: who, when and why, kept in the store and the audit log."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import insert, update

from govbus import audit
from govbus.errors import ViolationError
from govbus.holdings.catalogue import load_catalogue
from govbus.holdings.plan import load_plan
from govbus.holdings.results import RetirementPlan
from govbus.holdings.tables import retirement_approval, retirement_plan
from govbus.project import Project
from govbus.store.engine import Store


class RetirementRefused(ViolationError):
    """A retirement (or its approval) that the rules forbid: no approval, a legal hold, a failed check."""


def approve(project: Project, store: Store, plan_id: str, *, by: str, reason: str) -> RetirementPlan:
    """Record ``by``'s approval of ``plan_id`` with ``reason``; refused for a plan that is not a proposal."""
    if not by.strip() or not reason.strip():
        raise RetirementRefused(f"approving {plan_id} needs who approves it (--by) and why (--reason)")
    store.migrate()
    with store.begin() as connection:
        plan = load_plan(connection, plan_id)
        refusal = refusal_for(project, plan)
        if refusal is None and plan.status != "proposed":
            refusal = f"plan {plan_id} is {plan.status}, only a proposed plan can be approved"
        if refusal:
            raise RetirementRefused(refusal)
        now = datetime.now(timezone.utc)
        connection.execute(insert(retirement_approval).values(plan_id=plan_id, approved_by=by, approved_at=now, reason=reason))
        connection.execute(update(retirement_plan).where(retirement_plan.c.plan_id == plan_id).values(status="approved"))
        audit.record(None, audit.Kind.retire, by, subject_ids=[plan.holding], connection=connection,
                     details={"act": "approve", "plan_id": plan_id, "holding": plan.holding, "reason": reason})
        return load_plan(connection, plan_id)


def refusal_for(project: Project, plan: RetirementPlan) -> str | None:
    """Why ``plan`` may not go ahead now, or ``None``. The catalogue is read afresh: a hold set today counts."""
    holding = load_catalogue(project).holding(plan.holding)
    if holding.legal_hold:
        return f"holding {holding.name} is under legal hold: nothing is archived or retired until its owner ({holding.owner}) lifts it"
    if plan.status == "not_candidate":
        m = plan.document["measures"]
        return (f"plan {plan.plan_id}: {holding.name} is not redundant enough to retire (coverage {m['coverage']} needs "
                f"{m['min_coverage']}, agreement {m['agreement']} needs {m['min_agreement']})")
    if plan.status == "blocked":
        return f"plan {plan.plan_id} is blocked: {'; '.join(plan.document['blockers'])}"
    return None
