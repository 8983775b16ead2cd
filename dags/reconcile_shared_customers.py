"""
### Reconcile shared customers into golden records

**What it does.** Links the person records that agencies hold about the same citizen into one
golden record each, incrementally: only records landed since the last run are scored against
the existing ones, so golden-record ids stay stable.

**When it runs.** Whenever `land_events` lands rows: each landed table is an Asset
(`govbus://store/land_<topic>`) added through the `govbus_landed_tables` alias, and this DAG is
scheduled on that alias. Events landed while a run is going queue exactly one more run.

**Reads.** The landed tables and the reconciliation model in `reconcile/`.
**Writes.** Golden records, their provenance and the review queue of uncertain pairs, in the store.

**When it fails.** Read the `GOVBUS TASK FAILED` block in the task log. An unreachable store is
retried three times on its own; a wrong model or mapping (a configuration error) fails at once:
fix `reconcile/` and clear the task. Rerunning is harmless: the run is incremental and idempotent.
"""

from __future__ import annotations

from airflow.sdk import AssetAlias, dag, task

from govbus.orchestration.failures import task_defaults
from govbus.orchestration.names import LANDED_TABLES


@dag(
    dag_id="reconcile_shared_customers",
    schedule=[AssetAlias(LANDED_TABLES)],
    catchup=False,
    max_active_runs=1,
    default_args=task_defaults("govbus-registry"),
    tags=["capability:reconciliation", "agency:registry", "agency:all"],
    doc_md=__doc__,
)
def reconcile_shared_customers():
    @task
    def reconcile() -> dict:
        """Score and cluster the newly landed person records into golden records."""
        from govbus.orchestration.failures import retry_only_transient
        from govbus.orchestration.runtime import project_and_store
        from govbus.reconcile import run_incremental
        from govbus.registry.events import registry_publisher

        project, store = project_and_store()
        with retry_only_transient(), registry_publisher(project) as publisher:
            return run_incremental(project, store, publisher=publisher).to_dict()

    reconcile()


reconcile_shared_customers()
