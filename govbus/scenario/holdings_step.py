"""The holdings part of the scenario: the DAG scans and plans, a steward approves, the DAG retires.

``retire_redundant_holdings`` executes only approved plans, so the scenario runs it twice: the
first run measures each holding and proposes plans; the scenario then approves every candidate
as the demo's steward, with the reason on record; the second run archives, verifies, replaces
each approved holding with a view over the registry, and retires it.
"""

from __future__ import annotations

from govbus.project import Project
from govbus.scenario.airflow_api import AirflowApi
from govbus.scenario.waiting import Progress, trigger_and_wait
from govbus.store import Store

DAG = "retire_redundant_holdings"
STEWARD = "demo-steward"
REASON = "govbus scenario: the demo's steward approves every candidate plan"


def retire_holdings(api: AirflowApi, project: Project, store: Store, timeout_s: float, progress: Progress) -> dict:
    """Holdings scanned, found redundant and retired, each plan's status, and the last run's state."""
    from govbus.holdings import approve

    planning = trigger_and_wait(api, DAG, "scenario: scan the holdings and plan their retirement", timeout_s, progress)
    if planning["state"] != "success":
        return {"scanned": 0, "found": 0, "retired": 0, "plans": {}, "state": planning["state"]}
    scanned = api.returned(DAG, planning["dag_run_id"], "scan")["holdings"]
    plans = api.returned(DAG, planning["dag_run_id"], "plan")["plans"]
    candidates = [plan for plan in plans if plan["status"] in ("proposed", "approved", "retired")]
    for plan in candidates:
        if plan["status"] == "proposed":
            approve(project, store, plan["plan_id"], by=STEWARD, reason=REASON)
    retiring = trigger_and_wait(api, DAG, "scenario: retire the approved holdings", timeout_s, progress)
    executed = api.returned(DAG, retiring["dag_run_id"], "execute_approved") if retiring["state"] == "success" else {"retired": []}
    return {
        "scanned": len(scanned),
        "found": len(candidates),
        "retired": len(executed["retired"]),
        # Each plan as it stands after the second run, not as the first run proposed it.
        "plans": {plan["holding"]: plan["status"] for plan in plans} | {r["holding"]: "retired" for r in executed["retired"]},
        "state": retiring["state"],
    }


def restore_retired(project: Project, store: Store) -> list[str]:
    """A new run starts from the agencies' own tables: holdings an earlier run retired are restored first."""
    from govbus.holdings import restore
    from govbus.holdings.plan import plans

    store.migrate()
    with store.begin() as connection:
        retired = [plan.holding for plan in plans(connection, ("retired",))]
    for holding in retired:
        restore(project, store, holding, by=STEWARD, reason="govbus scenario: a new run starts from the agencies' own tables")
    return retired
