#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 cluster for the tests, as root, and print its SQLAlchemy URL
# as the only line on stdout (progress goes to stderr):
#
#   export GOVBUS_TEST_POSTGRES_URL="$(bash scripts/postgres.sh)"
#
# Safe to run again: an existing cluster, role and database are reused. pg_createcluster is
# used because initdb refuses to run as root; the cluster runs as the postgres user.
set -euo pipefail
# Only the URL may reach stdout: pg_ctlcluster and friends print notes ("Removed stale pid
# file.") that would otherwise end up inside the caller's variable.
exec 3>&1 1>&2

version=15
cluster=govbus
port=55432
role=govbus
password=govbus
database=govbus

step() { printf '==> %s\n' "$*" >&2; }
as_postgres() { runuser -u postgres -- "$@"; }
# The server must not inherit fd 3, or the caller's $(...) would wait for it to exit.
cluster_ctl() { pg_ctlcluster "$version" "$cluster" "$@" 3>&-; }
sql() { as_postgres psql -p "$port" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

if ! command -v pg_createcluster > /dev/null; then
  echo "postgres.sh: pg_createcluster not found: apt-get install postgresql" \
    "(or bash scripts/setup.sh --with-test-deps)" >&2
  exit 1
fi

if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { found = 1 } END { exit !found }'; then
  step "pg_createcluster $version $cluster -p $port"
  pg_createcluster "$version" "$cluster" -p "$port" > /dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c && $4 ~ /^online/ { found = 1 } END { exit !found }'; then
  step "pg_ctlcluster $version $cluster start"
  cluster_ctl start
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$port" || { echo "postgres.sh: cluster did not accept connections on $port" >&2; exit 1; }

# Change data capture (Debezium's pgoutput) needs logical decoding, which only a restart turns on.
if [ "$(sql -c 'SHOW wal_level')" != logical ]; then
  step "wal_level = logical (restarting the cluster)"
  sql -c "ALTER SYSTEM SET wal_level = logical"
  cluster_ctl restart
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 1
  done
fi

# CREATEDB lets concurrent test sessions each make a database of their own; REPLICATION lets
# the CDC tests open a logical replication slot.
sql <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
    CREATE ROLE $role LOGIN CREATEDB REPLICATION PASSWORD '$password';
  ELSE
    ALTER ROLE $role LOGIN CREATEDB REPLICATION PASSWORD '$password';
  END IF;
END
\$\$;
SQL
if [ "$(sql -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" != 1 ]; then
  step "createdb $database"
  as_postgres createdb -p "$port" -O "$role" "$database"
fi
step "PostgreSQL $version cluster '$cluster' is ready on 127.0.0.1:$port"
echo "postgresql+psycopg://$role:$password@127.0.0.1:$port/$database" >&3
