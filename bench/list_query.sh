#!/usr/bin/env bash
# GET /tasks at a million history rows (issue 24, item 9): loads 1M rows into
# django_celery_results_taskresult and celeriac_taskresult_queue with generate_series (states,
# task names (one at 0.1%), workers and queues mixed; one row every 2 s of creation time, ~23 days), starts a
# release API against it and takes p50/p99 of the list's main filters, their combinations and
# deep cursors with wrk. Not a test; prints a markdown table and keeps wrk's output.
#   bench/list_query.sh REDIS_PORT PG_PORT [ROWS]     (services: scripts/services.sh start ...)
# Env: BENCH_SECONDS (per case, default 10), BENCH_CONNECTIONS (default 4), BENCH_CONFIG
# (release or debug, default release), BENCH_API_PORT (default 18093).
set -euo pipefail
cd "$(dirname "$0")/.."
redis_port=${1:?redis port}
pg_port=${2:?postgres port}
rows=${3:-1000000}
seconds=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-4}
config=${BENCH_CONFIG:-release}
api_port=${BENCH_API_PORT:-18093}
db=celeriac_bench_list
dir=.celeriac/bench/list
mkdir -p "$dir"
pg() { psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U celeriac "$@"; }

static=; [ "$config" = release ] && static=--static-swift-stdlib
swift build -c "$config" $static --product celeriac-api >/dev/null
bin=$(swift build -c "$config" --show-bin-path)
pg -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"

api_pid=
cleanup() { [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
# Retention off: the rows go back 23 days, and the bench must not race a sweep.
CELERIAC_REDIS_URL="redis://127.0.0.1:$redis_port/13" CELERIAC_DATABASE_URL="postgresql://celeriac@127.0.0.1:$pg_port/$db" \
  CELERIAC_PORT=$api_port CELERIAC_HISTORY_RETENTION_DAYS=0 CELERIAC_LOG_LEVEL=warning CELERIAC_AUTH=off "$bin/celeriac-api" 2>"$dir/api.log" &
api_pid=$!
api="http://127.0.0.1:$api_port"
for _ in $(seq 300); do curl -fs "$api/ready" 2>/dev/null | grep -q '"postgres": "ok"' && break; sleep 0.1; done
curl -fs "$api/ready" | grep -q '"postgres": "ok"' || { cat "$dir/api.log"; exit 1; }

echo "loading $rows rows ..." >&2
start=$(date +%s)
pg -d "$db" -c "
  INSERT INTO django_celery_results_taskresult (task_id, status, content_type, content_encoding, result,
    date_done, meta, task_args, task_kwargs, task_name, worker, date_created, date_started)
  SELECT 'bench-' || i, (ARRAY['SUCCESS','SUCCESS','SUCCESS','SUCCESS','SUCCESS','SUCCESS','SUCCESS','SUCCESS',
           'FAILURE','STARTED','PENDING','RETRY','REVOKED','SUCCESS','SUCCESS','SUCCESS','SUCCESS','SUCCESS','SUCCESS',
           'SUCCESS'])[i % 20 + 1], 'application/json', 'utf-8', i::text,
    created + interval '1 second', '{\"children\": []}', '\"(' || i || ',)\"', '\"{}\"', CASE WHEN i % 1000 = 7 THEN 'bench.rare' ELSE 'bench.task' || (i % 10) END,
    'celeriac@worker' || (i % 4), created, created
  FROM generate_series(1, $rows) AS i, LATERAL (SELECT now() - ($rows - i) * interval '2 seconds' AS created) AS c" \
  -c "INSERT INTO celeriac_taskresult_queue (task_id, result_id, queue, date_created)
      SELECT task_id, id, 'queue' || (id % 5), date_created FROM django_celery_results_taskresult" \
  -c "VACUUM ANALYZE django_celery_results_taskresult" -c "VACUUM ANALYZE celeriac_taskresult_queue"
echo "loaded in $(( $(date +%s) - start )) s" >&2

# Cursors at 1,000 random rows (each a page start anywhere in the table), per cursor case.
cursors() {  # $1: WHERE clause of our own, $2: file
  pg -d "$db" -tA -c "SELECT (extract(epoch FROM t.date_created) * 1000000)::bigint || '.' || t.id
    FROM django_celery_results_taskresult t WHERE $1 ORDER BY random() LIMIT 1000" >"$2"
}
cursors "true" "$dir/cursors-all.txt"
cursors "t.status = 'SUCCESS'" "$dir/cursors-success.txt"
cursors "t.task_name = 'bench.task3'" "$dir/cursors-task.txt"
since=$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)
until=$(date -u -d '-10 days' +%Y-%m-%dT%H:%M:%SZ)

cases=(
  "first page, no filter||"
  "state=FAILURE (5%)|state=FAILURE|"
  "task= (10%)|task=bench.task3|"
  "task= (0.1%)|task=bench.rare|"
  "queue= (20%, queue table)|queue=queue2|"
  "worker= (25%)|worker=celeriac%40worker1|"
  "state + task|state=FAILURE&task=bench.task8|"
  "state + queue|state=SUCCESS&queue=queue3|"
  "since= last day|since=$since|"
  "until= 10 days ago|until=$until|"
  "limit=500|limit=500|"
  "deep cursor, no filter||$dir/cursors-all.txt"
  "deep cursor, state=SUCCESS|state=SUCCESS|$dir/cursors-success.txt"
  "deep cursor, task=|task=bench.task3|$dir/cursors-task.txt"
)
printf '| Case | query | req/s | p50 | p99 | non-2xx |\n|---|---|---|---|---|---|\n'
for entry in "${cases[@]}"; do
  IFS='|' read -r name query file <<<"$entry"
  out="$dir/wrk-$(echo "$name" | tr -c 'A-Za-z0-9' '_').txt"
  # Every case must answer a full page: an empty result would be fast for the wrong reason.
  items=$(curl -fs "$api/tasks?$query" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
  [ "$items" -gt 0 ] || { echo "case $name: empty page" >&2; exit 1; }
  BENCH_QUERY=$query BENCH_CURSORS=$file wrk -t2 -c"$conns" -d"${seconds}s" --latency -s bench/list.lua "$api" >"$out"
  awk -v name="$name" -v query="${query:-(none)}${file:+ + cursor}" '
    /Requests\/sec/ {rps = $2} /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2} /Non-2xx/ {bad = $5}
    END {printf "| %s | `%s` | %d | %s | %s | %d |\n", name, query, rps, p50, p99, bad}' "$out"
done
