#!/usr/bin/env bash
# The main job on a fresh machine, on the embedded defaults: set up, start the local stack
# (Kafka and Airflow), provision the topics, publish an agency's events under its contract, and
# show where each record went: accepted and landed, quarantined, or dead-lettered.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
# shellcheck disable=SC1091
source .venv/bin/activate

govbus up
govbus schemas check
govbus topics apply
# One agency publishes; invalid records are refused with their reasons and dead-lettered.
govbus publish population.person.registered examples/people.jsonl || true
govbus tail population.person.registered --max 5 --idle 5
govbus dlq list population.person.registered
govbus quarantine list population.person.registered
# Airflow's land_events DAG lands new events as they arrive; this catches up whatever it has not.
govbus land --idle 5
govbus store info
echo "Airflow UI: http://127.0.0.1:8080 (govbus down stops everything)"
