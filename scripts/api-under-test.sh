# Sourced by the Python-driven test suites (Tests/interop, Tests/contract): one debug API on
# its own PostgreSQL database and Redis database, started and waited for.
# start_api_under_test PORT REDIS_URL PG_PORT DATABASE LOG: sets `bin` (debug binaries, built if
# missing) and `api_pid`, and exports CELERIAC_TOKEN (every scope, so Schemathesis reaches every
# operation; what the `celeriac` CLI sends) and CELERIAC_WORKER_TOKEN (scope worker: what
# workers send), made with
# `celeriac token create` before the API starts; returns non-zero, with the API's log, if it
# never becomes ready.
start_api_under_test() {
  local port=$1 redis_url=$2 pg_port=$3 db=$4 log=$5
  psql -q -h 127.0.0.1 -p "$pg_port" -U celeriac -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  bin=$(swift build --show-bin-path)
  [ -x "$bin/celeriac-api" ] && [ -x "$bin/celeriac-worker" ] && [ -x "$bin/celeriac" ] || swift build
  local url="postgresql://celeriac@127.0.0.1:$pg_port/$db"
  CELERIAC_TOKEN=$("$bin/celeriac" token create --database "$url" --name test-admin --scopes submit,read,admin,worker 2>/dev/null)
  CELERIAC_WORKER_TOKEN=$("$bin/celeriac" token create --database "$url" --name test-worker --scopes worker 2>/dev/null)
  export CELERIAC_TOKEN CELERIAC_WORKER_TOKEN
  CELERIAC_REDIS_URL=$redis_url CELERIAC_DATABASE_URL=$url CELERIAC_PORT=$port "$bin/celeriac-api" 2>"$log" &
  api_pid=$!
  for _ in $(seq 100); do "$bin/celeriac" ready --api "http://127.0.0.1:$port" >/dev/null 2>&1 && return 0; sleep 0.1; done
  "$bin/celeriac" ready --api "http://127.0.0.1:$port" >/dev/null || { cat "$log"; return 1; }
}
