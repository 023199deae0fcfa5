#!/usr/bin/env bash
# `make test`: real Redis and PostgreSQL under .celeriac/test, the Swift suites, then the
# Python interop tests against real Celery, the contract tests of openapi.yaml (Schemathesis),
# the fault scenarios and the benchmark smoke. A missing service fails the run (never a skip).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.celeriac/test
redis_port=${CELERIAC_TEST_REDIS_PORT:-6399}
pg_port=${CELERIAC_TEST_PG_PORT:-15439}
scripts/services.sh start "$dir" "$redis_port" "$pg_port"
trap 'scripts/services.sh stop "$dir"' EXIT
export CELERIAC_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/15"
export CELERIAC_TEST_POSTGRES_URL="postgresql://celeriac@127.0.0.1:$pg_port/postgres"
export CELERIAC_TEST_REQUIRE_SERVICES=1
# Databases of earlier runs pile up otherwise.
psql -h 127.0.0.1 -p "$pg_port" -U celeriac -d postgres -tAc \
  "SELECT 'DROP DATABASE ' || datname || ';' FROM pg_database WHERE datname LIKE 'celeriac_test_%'" |
  psql -q -h 127.0.0.1 -p "$pg_port" -U celeriac -d postgres >/dev/null
swift build --build-tests
swift test --skip-build --skip SlowClientTests
swift test --skip-build --filter SlowClientTests
# The schedule fixture the Swift suite compares with is still what real Celery computes (<1 s).
"$(scripts/venv.sh)/bin/python" Tests/interop/schedule_agreement.py --check Tests/CeleriacCoreTests/Fixtures/schedule_agreement.json
# `celeriac migrate`: creates the schema in an empty database, then finds it current; a
# database it cannot reach is an error (non-zero exit), not a hang.
migrate_db=celeriac_test_migrate_cli
psql -q -h 127.0.0.1 -p "$pg_port" -U celeriac -d postgres -c "CREATE DATABASE $migrate_db"
migrate=(.build/debug/celeriac migrate --database "postgresql://celeriac@127.0.0.1:$pg_port/$migrate_db")
"${migrate[@]}" | grep -qx "applied migrations 1, 2, 3, 4, 5"
"${migrate[@]}" | grep -qx "schema is up to date"
if .build/debug/celeriac migrate --database "postgresql://celeriac@127.0.0.1:1/none" 2>/dev/null; then
  echo "celeriac migrate succeeded against an unreachable database" >&2; exit 1
fi
Tests/interop/run.sh "$redis_port" "$pg_port"
Tests/contract/run.sh "$redis_port" "$pg_port"
Tests/fault/run.sh "$pg_port" all
# The benchmark harness, briefly, so it cannot rot (numbers not recorded).
bench/run.sh smoke
