"""
### Check every data contract and the agreements behind them

**What it does.** Every hour, runs each contract's Great Expectations checkpoint over its whole
landed table (`land_<topic>`): field rules, uniqueness, completeness and the service levels of
the partnership agreement, such as freshness ("registrations reach the consumers within 24
hours"). Probes each contract's topic for availability (it exists and every partition has a
leader), so the report's availability is measured hour by hour. Then rebuilds the Data Docs and the agreement report, and fails the last task if any
agreement is broken, so the breach is red in this DAG's grid.

A contract whose topic has landed nothing yet is listed as awaiting data, not failed.

**Reads.** The landed tables and the contracts in `contracts/`.
**Writes.** Validation history in the store (`contract_validation_run`, `contract_rule_result`),
availability probes (`availability_probe`),
the Data Docs (`.govbus/reports/data_docs/index.html`) and the agreement report
(`.govbus/reports/agreements.html`).

**When it fails.**
- `agreements_kept` failed: an agreement is broken. Its log names each agreement, contract,
  clause, failing count and sample values. Open the agreement report; the data provider's
  steward acts (fix at the source, or decide on quarantined events with `govbus quarantine`).
  It is not retried: the same data gives the same answer.
- `validate` or `publish_reports` failed: read the `GOVBUS TASK FAILED` block in the task log.
  An unreachable store is retried three times on its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from airflow.sdk import dag, task

from govbus.orchestration.failures import task_defaults


@dag(
    dag_id="validate_contracts",
    schedule="@hourly",
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    default_args=task_defaults("govbus-data-stewards", retry_delay=timedelta(minutes=1)),
    tags=["capability:contracts", "capability:service-levels", "agency:all"],
    doc_md=__doc__,
)
def validate_contracts():
    @task
    def validate() -> dict:
        """Validate each contract's landed table; outcomes go to the store's history."""
        from govbus.orchestration.failures import retry_only_transient
        from govbus.orchestration.runtime import project_and_store
        from govbus.orchestration.validation import validate_landed_tables

        with retry_only_transient():
            return validate_landed_tables(*project_and_store())

    @task
    def probe_availability() -> list[dict]:
        """Ask the broker whether each contract's topic could take a publish now; kept per hour."""
        from govbus.contracts.availability import probe_topics
        from govbus.orchestration.failures import retry_only_transient
        from govbus.orchestration.runtime import project_and_store

        with retry_only_transient():
            return [probe.to_dict() for probe in probe_topics(*project_and_store())]

    @task
    def publish_reports(checked: dict) -> dict:
        """Rebuild the Data Docs and the agreement report from the history."""
        from govbus.orchestration.failures import retry_only_transient
        from govbus.orchestration.runtime import project_and_store
        from govbus.orchestration import validation

        with retry_only_transient():
            return validation.publish_reports(*project_and_store())

    @task(retries=0)
    def agreements_kept(checked: dict, reports: dict) -> dict:
        """Fail, without retrying, when any agreement is broken; the log says which and where to look."""
        from govbus.errors import ViolationError
        from govbus.orchestration.failures import retry_only_transient
        from govbus.orchestration.validation import breaches, describe_breach

        broken = breaches(checked["validated"])
        with retry_only_transient():
            if broken:
                lines = "\n".join(f"  - {describe_breach(outcome)}" for outcome in broken)
                raise ViolationError(
                    f"{len(broken)} of {len(checked['validated'])} contract(s) broken:\n{lines}\n"
                    f"agreement report: {reports['agreement_report']}\nData Docs: {reports['data_docs']}"
                )
        return {"kept": len(checked["validated"]), "awaiting_data": checked["awaiting_data"], **reports}

    checked = validate()
    reports = publish_reports(checked)
    probe_availability() >> reports
    agreements_kept(checked, reports)


validate_contracts()
