#!/usr/bin/env bash
# `make run`: local Redis and PostgreSQL under .celeriac/run (unless CELERIAC_REDIS_URL /
# CELERIAC_DATABASE_URL point elsewhere), then the API, one worker and one beat, until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.celeriac/run
bin=$(swift build -c release --show-bin-path)
redis_port=-
pg_port=-
if [ -z "${CELERIAC_REDIS_URL:-}" ]; then
  redis_port=${CELERIAC_RUN_REDIS_PORT:-6390}
  export CELERIAC_REDIS_URL="redis://127.0.0.1:$redis_port/0"
fi
if [ -z "${CELERIAC_DATABASE_URL:-}" ]; then
  pg_port=${CELERIAC_RUN_PG_PORT:-5439}
  export CELERIAC_DATABASE_URL="postgresql://celeriac@127.0.0.1:$pg_port/celeriac"
fi
scripts/services.sh start "$dir" "$redis_port" "$pg_port"
# backup.postgres writes here; its default database is this one (CELERIAC_DATABASE_URL).
export CELERIAC_BACKUP_DIR=${CELERIAC_BACKUP_DIR:-$PWD/$dir/backups}
mkdir -p "$CELERIAC_BACKUP_DIR"
export CELERIAC_HOST=${CELERIAC_HOST:-127.0.0.1} CELERIAC_PORT=${CELERIAC_PORT:-8080}
export CELERIAC_API_URL=${CELERIAC_API_URL:-http://$CELERIAC_HOST:$CELERIAC_PORT}

pids=()
cleanup() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null && wait "${pids[@]}" 2>/dev/null
  scripts/services.sh stop "$dir"
}
trap cleanup INT TERM EXIT

# A local admin token (submit, read, admin) and the worker's, made fresh each run (the last
# run's are revoked); the admin one is kept in $dir/token for the curl examples.
[ -s "$dir/token-names" ] && while read -r name; do "$bin/celeriac" token revoke "$name" >/dev/null 2>&1 || true; done <"$dir/token-names"
stamp=$(date +%Y%m%d-%H%M%S)
CELERIAC_TOKEN=$("$bin/celeriac" token create --name "local-admin-$stamp" --scopes submit,read,admin 2>/dev/null)
CELERIAC_WORKER_TOKEN=$("$bin/celeriac" token create --name "local-worker-$stamp" --scopes worker 2>/dev/null)
export CELERIAC_TOKEN CELERIAC_WORKER_TOKEN
printf 'local-admin-%s\nlocal-worker-%s\n' "$stamp" "$stamp" >"$dir/token-names"
(umask 077 && printf '%s\n' "$CELERIAC_TOKEN" >"$dir/token")

"$bin/celeriac-api" & pids+=($!)
for _ in $(seq 100); do
  "$bin/celeriac" ready --api "$CELERIAC_API_URL" >/dev/null 2>&1 && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "celeriac-api exited; see the log above" >&2; exit 1; }
  sleep 0.1
done
"$bin/celeriac-worker" & pids+=($!)
"$bin/celeriac-beat" & pids+=($!)
cat <<MSG

Celeriac is running: API $CELERIAC_API_URL, Redis ${CELERIAC_REDIS_URL/:\/\/*@/://***@}, database ${CELERIAC_DATABASE_URL/:\/\/*@/://***@}
A local admin token (scopes submit, read, admin) is in $dir/token. Try, in another shell:
  export CELERIAC_TOKEN=\$(cat $dir/token)   # the celeriac CLI sends it too
  curl -s -H "Authorization: Bearer \$CELERIAC_TOKEN" -XPOST $CELERIAC_API_URL/tasks -d '{"task":"celeriac.echo","args":["hi"]}'
  curl -s -H "Authorization: Bearer \$CELERIAC_TOKEN" $CELERIAC_API_URL/tasks/<id>
  curl -s -H "Authorization: Bearer \$CELERIAC_TOKEN" -XPOST $CELERIAC_API_URL/tasks -d '{"task":"backup.postgres","kwargs":{"keep":7}}'   # into $CELERIAC_BACKUP_DIR
  curl -s -H "Authorization: Bearer \$CELERIAC_TOKEN" -XPOST $CELERIAC_API_URL/periodic-tasks -d '{"name":"every 10 s","task":"celeriac.echo","interval":{"every":10,"period":"seconds"}}'
More tokens: $bin/celeriac token create --name ci --scopes submit,read
Ctrl-C stops everything.

MSG
wait -n "${pids[@]}"
