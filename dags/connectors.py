"""One DAG per connector in connectors/: agency databases, outboxes and file drops onto the bus.

Parsing reads only each definition's name, kind, agency, owner, schedule and description; the
database, the broker and the engine are touched only when a task runs.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from airflow.sdk import dag, task

from govbus.orchestration.failures import report_failure

PROJECT = Path(os.environ.get("GOVBUS_PROJECT") or Path(__file__).resolve().parents[1])

DOC = """
### Connector `{name}` ({kind} {direction}, {agency})

{description}

**What it does.** {action}

**When it runs.** `{schedule}`, one run at a time; a missed interval is not caught up, because
each run takes everything new since the last one.

**Reads and writes.** See `connectors/{file}`. Secrets come from the worker's environment
(`{url}`); the cursor and the last run's counts are in the store (`govbus connectors status {name}`).

**When it fails.** The task log ends with a `GOVBUS TASK FAILED` block saying why and what to do.
The database or the broker being away is retried three times; a wrong definition is not retried.
Rerunning is harmless: {rerun}
"""

ACTIONS = {
    "source": (
        "Reads what is new at the agency, maps it to `{subject}` and publishes it through the SDK, so "
        "schema checks, the contract, quarantine and dead letters all apply. Rejected rows do not fail the run.",
        "the cursor moves only after the broker has acknowledged a batch, so a rerun resumes there.",
    ),
    "sink": (
        "Upserts the new events of `{subject}` into the agency's table `{table}`.",
        "rows and offsets commit together in the agency's database, so nothing is written twice.",
    ),
}


def connector_dag(path: Path, definition: dict):
    """The DAG that runs the connector ``definition`` (as read from ``path``) on its schedule."""
    name, agency = definition["name"], definition["agency"]
    direction = definition.get("direction", "source")
    action, rerun = ACTIONS[direction]
    doc = DOC.format(
        name=name,
        kind=definition["kind"],
        direction=direction,
        agency=agency,
        description=(definition.get("description") or "").strip(),
        action=action.format(subject=definition["subject"], table=definition.get("table")),
        schedule=definition.get("schedule", "@hourly"),
        file=path.name,
        url=definition.get("url") or "no database",
        rerun=rerun,
    )

    @dag(
        dag_id=f"connector_{name.replace('-', '_')}",
        schedule=definition.get("schedule", "@hourly"),
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,
        default_args={
            "owner": definition.get("owner") or f"{agency}-data-engineering",
            "retries": 3,
            "retry_delay": timedelta(minutes=1),
            "retry_exponential_backoff": True,
            "on_failure_callback": report_failure,
        },
        tags=[f"agency:{agency}", "capability:connectors", f"connector:{definition['kind']}"],
        doc_md=doc,
    )
    def run_connector():
        @task(task_id="publish" if direction == "source" else "write_back")
        def run() -> dict:
            """Run the connector once and return its counts."""
            from govbus.connectors import Direction, find_definition, run_sink, run_source
            from govbus.orchestration.failures import retry_only_transient
            from govbus.orchestration.runtime import project_and_store

            with retry_only_transient():
                project, store = project_and_store()
                found = find_definition(project, name)
                if found.direction is Direction.sink:
                    return run_sink(found, project, store=store).to_dict()
                return run_source(found, project, store=store).to_dict()

        run()

    return run_connector()


for _path in sorted((PROJECT / "connectors").glob("*.y*ml")):
    connector_dag(_path, yaml.safe_load(_path.read_text(encoding="utf-8")))
