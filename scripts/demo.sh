#!/usr/bin/env bash
# The main job on a fresh machine, on the embedded defaults: set up, start the local stack,
# provision the topics and run the multi-agency scenario end to end.
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
