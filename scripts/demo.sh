#!/usr/bin/env bash
# The main job on a fresh machine, on the embedded defaults: set up, start the local stack (Kafka
# and Airflow's api-server, scheduler, dag-processor and triggerer), provision the topics, and run
# the multi-agency scenario end to end: every agency of the synthetic country publishes under its
# own identity, the DAGs land, validate, reconcile and retire, and a summary says what became of it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
# shellcheck disable=SC1091
source .venv/bin/activate

govbus up
govbus topics apply
govbus scenario run --size small
echo "Airflow UI: http://127.0.0.1:8080 (the DAG runs are there; govbus down stops everything)"
