"""The DAG factory: one readable, retrying DAG per connector definition, parsed without I/O."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[3]

PROBE = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
print(json.dumps({
    "errors": {k: str(v) for k, v in bag.import_errors.items()},
    "dags": {
        dag_id: {
            "schedule": dag.schedule,
            "tags": sorted(dag.tags),
            "catchup": dag.catchup,
            "retries": dag.default_args.get("retries"),
            "tasks": {t.task_id: t.owner for t in dag.tasks},
            "doc": dag.doc_md,
        }
        for dag_id, dag in bag.dags.items()
    },
}))
"""


def _parse(project: Path, tmp_path: Path) -> dict:
    env = {
        **os.environ,
        "GOVBUS_PROJECT": str(project),
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'airflow.db'}",
    }
    parsed = subprocess.run(
        [sys.executable, "-c", PROBE, str(REPO / "dags" / "connectors.py")], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(parsed.stdout.strip().splitlines()[-1])


def test_each_definition_becomes_a_dag_with_its_schedule_agency_and_owner(tmp_path):
    project = tmp_path / "project"
    (project / "connectors").mkdir(parents=True)
    definitions = {
        "tax-roll": {"kind": "sql_table", "agency": "tax", "owner": "tax-it", "schedule": "15 * * * *", "subject": "tax.taxpayer.registered",
                     "url": "${TAX_DB_URL}", "table": "taxpayer", "key": "tax_id", "cursor": "updated_at"},
        "post-drops": {"kind": "file_drop", "agency": "post", "schedule": "@daily", "subject": "post.address.change_notified",
                       "options": {"folder": "drops/post"}},
        "tax-addresses": {"kind": "sql_table", "direction": "sink", "agency": "tax", "subject": "population.person.address_changed",
                          "url": "${TAX_DB_URL}", "table": "taxpayer_address", "key": "tax_id"},
    }
    for name, definition in definitions.items():
        (project / "connectors" / f"{name}.yaml").write_text(yaml.safe_dump({"name": name, **definition}))

    parsed = _parse(project, tmp_path)

    assert parsed["errors"] == {}
    dags = parsed["dags"]
    assert sorted(dags) == ["connector_post_drops", "connector_tax_addresses", "connector_tax_roll"]
    roll = dags["connector_tax_roll"]
    assert roll["tags"] == ["agency:tax", "capability:connectors", "connector:sql_table"]
    assert roll["catchup"] is False and roll["retries"] == 3
    assert roll["schedule"] == "15 * * * *" and dags["connector_post_drops"]["schedule"] == "@daily"
    assert roll["tasks"] == {"publish": "tax-it"}
    assert dags["connector_post_drops"]["tasks"] == {"publish": "post-data-engineering"}
    assert dags["connector_tax_addresses"]["tasks"] == {"write_back": "tax-data-engineering"}
    assert "${TAX_DB_URL}" in roll["doc"] and "When it fails" in roll["doc"]


def test_the_shipped_connectors_each_get_a_dag(tmp_path):
    parsed = _parse(REPO, tmp_path)
    assert parsed["errors"] == {}
    shipped = sorted(yaml.safe_load(p.read_text())["name"].replace("-", "_") for p in (REPO / "connectors").glob("*.yaml"))
    assert sorted(parsed["dags"]) == [f"connector_{name}" for name in shipped]
