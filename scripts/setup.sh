#!/usr/bin/env bash
# Prepare a fresh Debian machine, as root, to develop and test govbus. Safe to run again: each
# step is skipped when its result is already there.
#
#   bash scripts/setup.sh                   # Maven, Python 3.11, .venv, the broker's jars
#   bash scripts/setup.sh --with-test-deps  # and PostgreSQL and Chromium, which the tests use
set -euo pipefail
cd "$(dirname "$0")/.."

with_test_deps=0
for arg in "$@"; do
  case "$arg" in
    --with-test-deps) with_test_deps=1 ;;
    -h | --help) sed -n '2,6s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

step() { printf '==> %s\n' "$*"; }

missing=()
need() { # need COMMAND PACKAGE: the package is installed when the command is not found
  command -v "$1" > /dev/null 2>&1 || missing+=("$2")
}
need mvn maven
need python3.11 python3.11
# Debian's python3.11 cannot make a virtualenv without its venv package (ensurepip).
if command -v python3.11 > /dev/null 2>&1 && ! python3.11 -c 'import ensurepip' 2> /dev/null; then
  missing+=(python3.11-venv)
fi
if ((with_test_deps)); then
  [ -x /usr/lib/postgresql/15/bin/postgres ] && command -v pg_createcluster > /dev/null \
    || missing+=(postgresql)
  need chromium chromium
  need chromedriver chromium-driver
fi

if ((${#missing[@]})); then
  step "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
else
  step "system packages already installed"
fi

if [ ! -x .venv/bin/python ]; then
  step "python3.11 -m venv .venv"
  python3.11 -m venv .venv
fi
# pip install of Airflow takes minutes even when nothing changed; redo it only when the
# dependencies in pyproject.toml change.
# The tests also run the Spark path of reconciliation, an optional extra for deployments.
extras="airflow,test"
((with_test_deps)) && extras="airflow,spark,test"
deps_stamp=".venv/.govbus-deps.sha256"
deps_hash="$( (sha256sum pyproject.toml; echo "$extras") | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$deps_stamp" 2> /dev/null)" != "$deps_hash" ]; then
  step "pip install -e '.[$extras]' into .venv (a few minutes on a fresh machine)"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$extras]"
  echo "$deps_hash" > "$deps_stamp"
else
  step ".venv is up to date with pyproject.toml"
fi

# A changed pom leaves old jars beside new ones, and both would be on the broker's classpath.
libs=".govbus/kafka/libs"
pom_stamp=".govbus/kafka/pom.sha256"
pom_hash="$(sha256sum infra/kafka/pom.xml | cut -d' ' -f1)"
if [ "$(cat "$pom_stamp" 2> /dev/null)" != "$pom_hash" ] || ! compgen -G "$libs/*.jar" > /dev/null; then
  step "mvn -q -B -f infra/kafka/pom.xml package (the broker's jars into $libs)"
  rm -rf "$libs"
  # Even with -q, Maven prints stray colour codes; its output only matters when it fails.
  if ! mvn_output="$(mvn -q -B -f infra/kafka/pom.xml package 2>&1)"; then
    echo "$mvn_output" >&2
    exit 1
  fi
  echo "$pom_hash" > "$pom_stamp"
else
  step "broker jars in $libs are up to date"
fi

step "ready: source .venv/bin/activate, then govbus up"
