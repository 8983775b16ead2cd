#!/usr/bin/env bash
# The test command: the whole suite in .venv (bash scripts/setup.sh makes it). Extra arguments go
# to pytest, e.g. `bash scripts/test.sh -m unit`.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  echo "test.sh: no .venv here: run bash scripts/setup.sh first" >&2
  exit 1
fi
# shellcheck disable=SC1091
source .venv/bin/activate

python -m pytest -q "$@"
status=$?
# Exit code 5 means pytest collected nothing: a suite that silently vanished must not pass.
if [ "$status" -eq 5 ]; then
  echo "test.sh: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
