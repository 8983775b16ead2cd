"""
### Find, plan and retire redundant data holdings

**What it does.** Every day: scans each agency's legacy holdings against the golden records to
measure how much of each is a redundant copy, writes a retirement plan per holding, and executes
only the plans a steward has approved (archive, verify, replace with a view, retire). A plan
without a recorded approval, or a holding under legal hold, is never touched.

**Reads.** The agencies' holdings, the golden records, the approvals recorded by stewards.
**Writes.** Scan reports and plans; for approved plans, the archive, the verification and the
view that answers the old queries.

**When it fails.** Read the `GOVBUS TASK FAILED` block in the task log. `execute_approved` is
idempotent: a plan already carried out is not done again, so clearing the task is safe. A
failed verification, or a write to the table since it was archived, is a fatal error: the table
stays as it is, nothing is retried, and the plan needs a new scan and approval.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from airflow.sdk import dag, task

from govbus.orchestration.failures import task_defaults


@dag(
    dag_id="retire_redundant_holdings",
    schedule="@daily",
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    default_args=task_defaults("govbus-data-stewards", retries=2, retry_delay=timedelta(minutes=5)),
    tags=["capability:retirement", "agency:all"],
    doc_md=__doc__,
)
def retire_redundant_holdings():
    @task
    def scan() -> dict:
        """Measure each holding's redundancy against the golden records."""
        from govbus.holdings import scan_all
        from govbus.orchestration.failures import retry_only_transient
        from govbus.orchestration.runtime import project_and_store

        with retry_only_transient():
            return scan_all(*project_and_store()).to_dict()

    @task
    def plan(scanned: dict) -> dict:
        """Write a retirement plan for each redundant holding; plans wait for a steward's approval."""
        from govbus.holdings import plan_all
        from govbus.orchestration.failures import retry_only_transient
        from govbus.orchestration.runtime import project_and_store

        with retry_only_transient():
            return plan_all(*project_and_store()).to_dict()

    @task
    def execute_approved(planned: dict) -> dict:
        """Carry out only the approved plans: archive, verify, replace with a view, retire."""
        from govbus.holdings import execute_approved as execute
        from govbus.orchestration.failures import retry_only_transient
        from govbus.orchestration.runtime import project_and_store

        with retry_only_transient():
            return execute(*project_and_store()).to_dict()

    execute_approved(plan(scan()))


retire_redundant_holdings()
