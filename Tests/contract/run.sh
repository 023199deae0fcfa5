#!/usr/bin/env bash
# Contract tests: Schemathesis generates requests from openapi.yaml (valid ones, and ones that
# break it) against a running API and checks every answer against the document: no 5xx,
# schema-valid bodies, declared status codes and content types, invalid input refused,
# 405 for methods a path does not take. Usage: Tests/contract/run.sh REDIS_PORT PG_PORT
# A fixed seed keeps CI repeatable; CELERIAC_CONTRACT_SEED=random (or a number) explores.
set -euo pipefail
cd "$(dirname "$0")/../.."
redis_port=${1:?redis port}
pg_port=${2:?postgres port}
venv=$(scripts/venv.sh Tests/contract/requirements.txt .celeriac/venv-contract)
logs=.celeriac/test/contract
mkdir -p "$logs"
. scripts/api-under-test.sh
redis_url="redis://127.0.0.1:$redis_port/12"  # database 12 belongs to this script alone
redis-cli -p "$redis_port" -n 12 flushdb >/dev/null
api_port=${CELERIAC_CONTRACT_API_PORT:-18091}
api="http://127.0.0.1:$api_port"

api_pid=
cleanup() { [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
# Long-polls end after a second: Schemathesis asks for waits of up to a minute.
export CELERIAC_LONG_POLL_MAX=1
# Schemathesis sends thousands of bad tokens from one address on purpose; the limit on failed
# authentications (tested in Swift) would turn its expected 401s into 429s.
export CELERIAC_AUTH_FAILURES_PER_MINUTE=0
start_api_under_test "$api_port" "$redis_url" "$pg_port" celeriac_contract "$logs/api.log"
# Every request carries the admin token (Schemathesis also sends some without it, and expects
# the 401 openapi.yaml documents). Revoking is left out: a generated id would revoke that token.

seed=${CELERIAC_CONTRACT_SEED:-20261126}
seed_args=(--seed "$seed")
[ "$seed" = random ] && seed_args=()
status=0
root=$PWD
# From the log directory: Schemathesis and Hypothesis keep their caches in the working directory.
(cd "$logs" && exec "$root/$venv/bin/schemathesis" --config-file "$root/Tests/contract/schemathesis.toml" run "$root/openapi.yaml" --url "$api" --checks all \
  -H "Authorization: Bearer $CELERIAC_TOKEN" --exclude-operation-id revokeToken \
  --max-examples "${CELERIAC_CONTRACT_EXAMPLES:-100}" "${seed_args[@]}" --no-color) >"$logs/schemathesis.txt" 2>&1 ||
  status=$?
tail -25 "$logs/schemathesis.txt"
# The API must have survived every request, and logged no unhandled error.
kill -0 "$api_pid" 2>/dev/null || { echo "contract: the API died"; status=1; }
if grep -q "unhandled error" "$logs/api.log"; then
  echo "contract: the API logged unhandled errors:"; grep "unhandled error" "$logs/api.log" | head; status=1
fi
[ $status -eq 0 ] || { echo "--- full report: $logs/schemathesis.txt"; grep -A30 "^___" "$logs/schemathesis.txt" | head -150; }
exit $status
