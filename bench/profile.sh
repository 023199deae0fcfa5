#!/usr/bin/env bash
# Where the time goes: perf (cpu-clock sampling, works without hardware counters) on the
# release api under wrk enqueue load, then on api + worker while a worker drains.
#   bench/profile.sh [SECONDS]   → .celeriac/bench/profile-*.txt
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
dir=.celeriac/bench
redis_port=6401 pg_port=15441 api_port=18101
mkdir -p "$dir"
swift build -c release --static-swift-stdlib >/dev/null
bin=$(swift build -c release --show-bin-path)
venv=$(scripts/venv.sh)
scripts/services.sh stop "$dir"
rm -rf "$dir/appendonlydir"  # a fresh, empty Redis: no replay of an earlier run's data
scripts/services.sh start "$dir" "$redis_port" "$pg_port"
pids=()
trap '[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; scripts/services.sh stop "$dir"' EXIT
redis-cli -p "$redis_port" flushall >/dev/null
export BENCH_REDIS_URL="redis://127.0.0.1:$redis_port/0" CELERIAC_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export CELERIAC_PORT=$api_port CELERIAC_LOG_LEVEL=warning CELERIAC_API_URL="http://127.0.0.1:$api_port"
export CELERIAC_DATABASE_URL="postgresql://celeriac@127.0.0.1:$pg_port/celeriac"
CELERIAC_AUTH=off "$bin/celeriac-api" 2>"$dir/api.log" & api=$!; pids+=($api)  # ad hoc: no tokens
for _ in $(seq 100); do curl -sf "$CELERIAC_API_URL/ready" >/dev/null && break; sleep 0.05; done
report() { perf report -i "$1" --no-children --percent-limit 1.5 --stdio 2>/dev/null | grep -v "^$" | head -60; }

perf record -e cpu-clock -F 499 -g -p $api -o "$dir/enqueue.perf" -- sleep "$secs" >/dev/null 2>&1 & rec=$!
BENCH_QUEUE=profile wrk -t2 -c64 -d"${secs}s" -s bench/enqueue.lua "$CELERIAC_API_URL" | grep Requests/sec
wait $rec || true
report "$dir/enqueue.perf" >"$dir/profile-enqueue.txt"
redis-cli -p "$redis_port" del profile >/dev/null

(cd bench && "../$venv/bin/python" celery_side.py preload --count 60000 --queue profile_drain >/dev/null)
"$bin/celeriac-worker" -n profile -Q profile_drain -c 64 2>"$dir/worker.log" & worker=$!; pids+=($worker)
sleep 1
perf record -e cpu-clock -F 499 -g -p $worker -o "$dir/drain-worker.perf" -- sleep "$secs" >/dev/null 2>&1 & r1=$!
perf record -e cpu-clock -F 499 -g -p $api -o "$dir/drain-api.perf" -- sleep "$secs" >/dev/null 2>&1 & r2=$!
wait $r1 $r2 || true
echo "left after ${secs}s of drain: $(redis-cli -p "$redis_port" llen profile_drain)"
report "$dir/drain-worker.perf" >"$dir/profile-drain-worker.txt"
report "$dir/drain-api.perf" >"$dir/profile-drain-api.txt"
top -b -n 1 | head -20 >"$dir/profile-top.txt"
