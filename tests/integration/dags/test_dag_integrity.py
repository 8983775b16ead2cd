"""Every file in dags/ parses into DAGs an operator can run and read: the DagBag integrity checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import REPO

DAG_FILES = sorted(REPO.joinpath("dags").glob("*.py"))
# Packages a DAG file must not pull in while the dag-processor parses it every half minute.
HEAVY = {"great_expectations", "splink", "duckdb", "pandas", "sqlalchemy", "kafka", "govbus.store", "govbus.land", "govbus.contracts"}


def test_every_dag_file_parses_without_import_errors(dag_bag):
    assert dag_bag.import_errors == {}
    parsed = {os.path.realpath(dag.fileloc) for dag in dag_bag.dags.values()}
    assert parsed == {os.path.realpath(path) for path in DAG_FILES}, "a file in dags/ defines no DAG"


def test_every_dag_has_owners_tags_retries_and_operator_docs(dag_bag):
    assert dag_bag.dags
    for dag_id, dag in dag_bag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.catchup is False, f"{dag_id} would backfill every missed interval"
        assert dag.default_args.get("retries", 0) >= 1, f"{dag_id} retries nothing"
        assert dag.doc_md and len(dag.doc_md.strip()) > 100, f"{dag_id} has no doc_md for operators"
        for task in dag.tasks:
            assert task.owner and task.owner != "airflow", f"{dag_id}.{task.task_id} is owned by {task.owner!r}"


def test_our_dags_say_which_capability_and_agencies_they_serve(dag_bag):
    ours = ["land_events", "validate_contracts", "reconcile_shared_customers", "retire_redundant_holdings"]
    for dag_id in ours:
        tags = dag_bag.get_dag(dag_id).tags
        assert any(tag.startswith("capability:") for tag in tags), dag_id
        assert any(tag.startswith("agency:") for tag in tags), dag_id
        assert "When it fails" in dag_bag.get_dag(dag_id).doc_md, dag_id


def test_land_events_is_woken_by_the_bus_and_announces_landed_tables(dag_bag):
    from airflow.sdk import AssetAlias

    land_events = dag_bag.get_dag("land_events")
    (watched,) = land_events.timetable.asset_condition.objects
    (watcher,) = watched.watchers
    kind, kwargs = watcher.trigger.serialize()
    assert kind.endswith("kafka.triggers.await_message.AwaitMessageTrigger")
    assert kwargs["apply_function"] == "govbus.orchestration.triggers.unlanded_event"
    assert kwargs["kafka_config_id"] == "govbus_kafka"
    assert land_events.get_task("land").outlets == [AssetAlias("govbus_landed_tables")]
    reconcile = dag_bag.get_dag("reconcile_shared_customers")
    assert list(reconcile.timetable.asset_condition.objects) == [AssetAlias("govbus_landed_tables")]


def test_parsing_the_dags_imports_nothing_heavy(airflow_home):
    """The dag-processor re-parses every file often: heavy imports belong inside the tasks."""
    probe = (
        "import json, runpy, sys\n"
        "import airflow.sdk\n"
        "from airflow.providers.apache.kafka.triggers.msg_queue import KafkaMessageQueueTrigger\n"
        "before = set(sys.modules)\n"
        "for path in sys.argv[1:]:\n"
        "    runpy.run_path(path)\n"
        "print(json.dumps({'before': sorted(before), 'added': sorted(set(sys.modules) - before)}))\n"
    )
    parsed = subprocess.run(
        [sys.executable, "-c", probe, *map(str, DAG_FILES)], check=True, capture_output=True, text=True, cwd=airflow_home
    )
    modules = json.loads(parsed.stdout.strip().splitlines()[-1])
    # Airflow itself brings some (SQLAlchemy); only packages new after parsing count.
    loaded_before = {package for name in modules["before"] for package in _packages(name)}
    heavy = sorted({package for name in modules["added"] for package in _packages(name)} & (HEAVY - loaded_before))
    assert heavy == [], f"parsing dags/ imported {heavy}"
    assert "govbus.orchestration.names" in modules["added"], "the probe did not parse the DAG files"


def _packages(module: str) -> list[str]:
    """``govbus.store.engine`` is in the packages ``govbus`` and ``govbus.store``."""
    parts = module.split(".")
    return [".".join(parts[:depth]) for depth in (1, 2)]
