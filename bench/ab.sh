#!/usr/bin/env bash
# Two builds alternated on the same host, for changes smaller than the host's drift between
# full runs: the idle worker's RSS (started alone, 3 s) and `POST /tasks` under wrk (8 s, 64
# connections), with the api's CPU per task from /proc. Usage:
#   bench/ab.sh OLD_BIN_DIR NEW_BIN_DIR [ROUNDS]
# Each directory holds celeriac-api and celeriac-worker (release builds, as `make release`
# makes them); check one out with `git worktree` or copy .build/release/ before a change.
set -uo pipefail
cd "$(dirname "$0")/.."
old=${1:?old bin dir} new=${2:?new bin dir} rounds=${3:-5}
dir=.celeriac/ab
mkdir -p "$dir"
scripts/services.sh start "$dir" 6402 15442 >/dev/null
trap 'scripts/services.sh stop "$dir"' EXIT
export CELERIAC_REDIS_URL=redis://127.0.0.1:6402/0 CELERIAC_PORT=18102 CELERIAC_LOG_LEVEL=warning
export CELERIAC_DATABASE_URL=postgresql://celeriac@127.0.0.1:15442/celeriac CELERIAC_API_URL=http://127.0.0.1:18102
for round in $(seq "$rounds"); do
  for side in old new; do
    bin=$old; [ $side = new ] && bin=$new
    redis-cli -p 6402 flushall >/dev/null
    "$bin/celeriac-worker" -n ab-idle -Q ab_idle 2>/dev/null & w=$!
    sleep 3; rss=$(ps -o rss= -p $w | tr -d ' '); kill $w; wait $w 2>/dev/null
    CELERIAC_AUTH=off "$bin/celeriac-api" 2>/dev/null & a=$!  # ad hoc: no tokens (make bench measures with them)
    for _ in $(seq 100); do curl -sf "$CELERIAC_API_URL/ready" >/dev/null && break; sleep 0.05; done
    sleep 1
    ticks0=$(awk '{print $14 + $15}' /proc/$a/stat)
    rate=$(BENCH_QUEUE=bench_enqueue wrk -t2 -c64 -d8s -s bench/enqueue.lua "$CELERIAC_API_URL" | awk '/Requests\/sec/ {print $2}')
    ticks1=$(awk '{print $14 + $15}' /proc/$a/stat)
    queued=$(redis-cli -p 6402 llen bench_enqueue)
    kill $a; wait $a 2>/dev/null
    # /proc counts CPU in 10 ms ticks.
    echo "{\"round\": $round, \"build\": \"$side\", \"idle_worker_kb\": $rss, \"enqueue_per_s\": $rate, \"api_cpu_us_per_task\": $(( (ticks1 - ticks0) * 10000 / (queued > 0 ? queued : 1) ))}"
  done
done
