#!/usr/bin/env bash
# Benchmarks, ours and the references side by side in one run (`make bench`), written to
# BENCHMARKS.md between the bench markers. `bench/run.sh smoke` is the short version CI runs
# so the harness cannot rot (debug build, small counts, BENCHMARKS.md untouched).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-full}
if [ "$mode" = smoke ]; then
  drain_n=2000 wrk_s=3 celery_s=2 lat_s=3 lat_conns=2 scale_n=1000 big_n=20000 lookup_s=2 rounds=1 config=debug static=
  eta_n=300 eta_lead=3 beat_s=5 beat_intervals=100 beat_crontabs=900 backup_rows=50000 backup_rounds=1 notify_n=500 load_rows=20000 load_page=2000
else
  drain_n=${BENCH_DRAIN:-100000} wrk_s=20 celery_s=10 lat_s=10 lat_conns=8 scale_n=50000 big_n=1000000 lookup_s=10 rounds=3
  eta_n=10000 eta_lead=15 beat_s=65 beat_intervals=1000 beat_crontabs=9000 backup_rows=6000000 backup_rounds=2 notify_n=10000 load_rows=1000000 load_page=10000
  config=release static=--static-swift-stdlib
fi
dir=.celeriac/bench
redis_port=6401 pg_port=15441 api_port=18101
out=$dir/results.jsonl
mkdir -p "$dir"
: >"$out"
swift build -c "$config" $static --product celeriac-api >/dev/null  # as `make release` builds them
swift build -c "$config" $static --product celeriac-worker >/dev/null
swift build -c "$config" $static --product celeriac-beat >/dev/null
swift build -c "$config" $static --product celeriac >/dev/null
bin=$(swift build -c "$config" --show-bin-path)
venv=$(scripts/venv.sh)
py="$PWD/$venv/bin/python"
scripts/services.sh stop "$dir"
rm -rf "$dir/appendonlydir"  # a fresh, empty Redis: no replay of an earlier run's data
scripts/services.sh start "$dir" "$redis_port" "$pg_port"
pids=()
cleanup() {
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
  wait 2>/dev/null || true
  scripts/services.sh stop "$dir"
}
trap cleanup EXIT
redis-cli -p "$redis_port" flushall >/dev/null
export BENCH_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export CELERIAC_REDIS_URL=$BENCH_REDIS_URL CELERIAC_PORT=$api_port CELERIAC_LOG_LEVEL=warning
export CELERIAC_DATABASE_URL="postgresql://celeriac@127.0.0.1:$pg_port/celeriac"
export CELERIAC_API_URL="http://127.0.0.1:$api_port"
record() { echo "$1" | tee -a "$out"; }
rss_kb() { ps -o rss= -p "$1" | tr -d ' '; }
tree_rss_kb() { ps -o rss= --ppid "$1" -p "$1" | awk '{s+=$1} END {print s}'; }
now() { date +%s.%N; }
wait_ready() { for _ in $(seq 200); do curl -sf "$CELERIAC_API_URL/ready" >/dev/null && return; sleep 0.05; done; exit 1; }
wait_gone() { while kill -0 "$1" 2>/dev/null; do sleep 0.05; done; }
celery_side() { (cd bench && "$py" celery_side.py "$@"); }
compact_aof() {  # rewrite the append-only file now and wait: no rewrite burst during what follows
  redis-cli -p "$redis_port" bgrewriteaof >/dev/null
  while redis-cli -p "$redis_port" info persistence | grep -qE "aof_rewrite_(in_progress|scheduled):1"; do sleep 0.2; done
}
aof_rewrites() { redis-cli -p "$redis_port" info persistence | awk -F: '/^aof_rewrites:/ {print $2 + 0}'; }
median_of() { "$py" -c "import sys; r = sorted(sys.argv[1:], key=float); print(r[len(r) // 2])" "$@"; }
pg() { psql -h 127.0.0.1 -p "$pg_port" -U celeriac -d celeriac -qAt "$@"; }
history_rows() { pg -c "SELECT count(*) FROM django_celery_results_taskresult"; }
history_settled() {  # history rows are written up to a few seconds late: wait for the last
  local before=-1 count; count=$(history_rows)
  while [ "$count" != "$before" ]; do before=$count; sleep 2; count=$(history_rows); done
}
fresh_redis() { redis-cli -p "$redis_port" flushall >/dev/null; compact_aof; }
list() { local IFS=,; echo "[$*]"; }
# Each drain starts from the same Redis: empty but for its preloaded messages, with a
# compacted append-only file. Otherwise whichever drain ran first after the enqueue phase
# inherited its ~200k records (1-day TTL) and the rewrites they bring (ad hoc, 100k tasks:
# 8.6k/s with 5 rewrites inherited, 11k/s from a fresh Redis).
preload_fresh() {  # preload_fresh ARGS... (celery_side preload) → its JSON
  redis-cli -p "$redis_port" flushall >/dev/null
  celery_side preload "$@"
  compact_aof
}

# Tokens before the API starts (it loads them once migrated): wrk, loadgen and the Python
# clients send BENCH_TOKEN, workers CELERIAC_WORKER_TOKEN. Names are unique per run (the
# bench cluster is kept between runs).
run_id=$(date +%s)
BENCH_TOKEN=$("$bin/celeriac" token create --name "bench-$run_id" --scopes submit,read,admin 2>/dev/null)
CELERIAC_WORKER_TOKEN=$("$bin/celeriac" token create --name "bench-worker-$run_id" --scopes worker 2>/dev/null)
export BENCH_TOKEN CELERIAC_WORKER_TOKEN CELERIAC_TOKEN=$BENCH_TOKEN
"$bin/celeriac-api" 2>"$dir/api.log" & api=$!; pids+=($api)
wait_ready
# Every run starts from an empty history table: PostgreSQL's cost per row grows with the
# table, so rows left by earlier runs would make runs incomparable.
emptied=no
for _ in $(seq 150); do  # the API creates the table in the background
  pg -c "TRUNCATE django_celery_results_taskresult" 2>/dev/null &&
    emptied=yes && break
  sleep 0.2
done
[ $emptied = yes ] || { echo "bench: cannot empty the history table" >&2; exit 1; }
sleep 2
record "{\"bench\": \"rss_idle\", \"process\": \"celeriac-api\", \"kb\": $(rss_kb $api)}"
"$bin/celeriac-worker" -n bench-idle -Q bench_idle 2>"$dir/worker-idle.log" & w=$!
sleep 3
record "{\"bench\": \"rss_idle\", \"process\": \"celeriac-worker\", \"kb\": $(rss_kb $w)}"
kill -TERM $w; wait_gone $w

# 1. HTTP enqueue: wrk, unique bodies, 64 connections; vs Celery apply_async; vs LPUSH.
# Three rounds (one in the smoke), interleaved so a drift of the shared host's speed meets
# all three producers alike; the median of each counts and every run is recorded. Each run
# starts from an empty Redis with a compacted append-only file, ours also from an empty
# history table.
wrk_runs=() non2xx=0 celery1=() celery8=()
for _ in $(seq $rounds); do
  history_settled; pg -c "TRUNCATE django_celery_results_taskresult"; fresh_redis
  BENCH_QUEUE=bench_enqueue wrk -t2 -c64 -d"${wrk_s}s" -s bench/enqueue.lua "$CELERIAC_API_URL" >"$dir/wrk.txt" &
  wrk_pid=$!
  sleep $((wrk_s / 2))
  api_load_kb=$(rss_kb $api)
  wait $wrk_pid
  wrk_runs+=("$(awk '/Requests\/sec/ {print $2}' "$dir/wrk.txt")")
  non2xx=$((non2xx + $(awk '/Non-2xx/ {n = $5} END {print n + 0}' "$dir/wrk.txt")))
  msg_bytes=$(redis-cli -p "$redis_port" --no-raw lindex bench_enqueue 0 | wc -c)
  for procs in 1 8; do
    fresh_redis
    per_s=$(celery_side enqueue --procs $procs --seconds "$celery_s" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["tasks_per_s"])')
    if [ $procs = 1 ]; then celery1+=("$per_s"); else celery8+=("$per_s"); fi
  done
done
record "{\"bench\": \"http_enqueue\", \"tasks_per_s\": $(median_of "${wrk_runs[@]}"), \"runs\": $(list "${wrk_runs[@]}"), \"non_2xx\": $non2xx, \"api_rss_kb_under_load\": $api_load_kb}"
record "{\"bench\": \"celery_apply_async\", \"result\": {\"procs\": 1, \"seconds\": $celery_s, \"tasks_per_s\": $(median_of "${celery1[@]}"), \"runs\": $(list "${celery1[@]}")}}"
record "{\"bench\": \"celery_apply_async\", \"result\": {\"procs\": 8, \"seconds\": $celery_s, \"tasks_per_s\": $(median_of "${celery8[@]}"), \"runs\": $(list "${celery8[@]}")}}"
fresh_redis
lpush=$(redis-benchmark -p "$redis_port" -t lpush -c 64 -n $((wrk_s * 15000)) -d "$msg_bytes" --csv | awk -F'"' '/LPUSH/ {print $4}')
record "{\"bench\": \"redis_lpush\", \"per_s\": $lpush, \"payload_bytes\": $msg_bytes}"
redis-cli -p "$redis_port" del mylist >/dev/null

# 1b. Bulk enqueue (issue 31): POST /tasks/batch of 100 and of 1,000 tasks, each task the
# single-task row's body, against the same LPUSH; Redis's CPU per task from INFO cpu.
redis_cpu() { redis-cli -p "$redis_port" info cpu | awk -F: '/^used_cpu_(sys|user):/ {s += $2} END {printf "%.3f", s}'; }
for size in 100 1000; do
  history_settled; pg -c "TRUNCATE django_celery_results_taskresult"; fresh_redis
  cpu_before=$(redis_cpu)
  BENCH_QUEUE=bench_batch BENCH_BATCH=$size wrk -t2 -c8 -d"${wrk_s}s" -s bench/enqueue_batch.lua "$CELERIAC_API_URL" >"$dir/wrk-batch.txt"
  cpu_after=$(redis_cpu)
  queued=$(redis-cli -p "$redis_port" llen bench_batch)
  batch_bytes=$(redis-cli -p "$redis_port" --no-raw lindex bench_batch 0 | wc -c)
  per_s=$("$py" -c "print(round($queued / $wrk_s))")
  record "{\"bench\": \"batch_enqueue\", \"batch\": $size, \"tasks\": $queued, \"tasks_per_s\": $per_s, \"requests_per_s\": $(awk '/Requests\/sec/ {print $2}' "$dir/wrk-batch.txt"), \"non_2xx\": $(awk '/Non-2xx/ {n = $5} END {print n + 0}' "$dir/wrk-batch.txt"), \"redis_cpu_us_per_task\": $("$py" -c "print(round(($cpu_after - $cpu_before) * 1e6 / max(1, $queued), 2))"), \"message_bytes\": $batch_bytes, \"lpush_per_s\": $lpush}"
done
fresh_redis

# 2. Worker drain: N echo messages pre-loaded, one worker, reports included.
drain_ours() {  # drain_ours N WORKERS CONCURRENCY: sets secs and load_kb
  local last started ps=()
  last=$(preload_fresh --count "$1" --queue bench_drain | "$py" -c 'import json,sys; print(json.load(sys.stdin)["last"])')
  rewrites=$(aof_rewrites)
  started=$(now)
  for i in $(seq "$2"); do "$bin/celeriac-worker" -n "bench-$i" -Q bench_drain -c "$3" 2>>"$dir/worker.log" & ps+=($!); done
  pids+=("${ps[@]}")
  sleep 1
  load_kb=$(rss_kb "${ps[0]}")
  secs=$(celery_side drain --queue bench_drain --last "$last" --started "$started" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
  kill -TERM "${ps[@]}"; for p in "${ps[@]}"; do wait_gone "$p"; done
  rewrites=$(($(aof_rewrites) - rewrites))
}
# Ours takes 10-20 s against Celery's 150-200 s, so a passing slowdown of the shared host
# (redis-benchmark LPUSH moved between 33k and 82k/s from one second to the next here)
# weighs far more on it: three drains, the median counts, all three are recorded.
runs=() runs_rewrites=()
for _ in 1 2 3; do drain_ours "$drain_n" 1 64; runs+=("$secs"); runs_rewrites+=("$rewrites"); done
median=$(median_of "${runs[@]}")
ours_max=$("$py" -c "print(round($drain_n/$median))")
record "{\"bench\": \"drain\", \"consumer\": \"celeriac-worker -c 64\", \"tasks\": $drain_n, \"seconds\": $median, \"tasks_per_s\": $ours_max, \"runs_seconds\": $(list "${runs[@]}"), \"aof_rewrites\": $(list "${runs_rewrites[@]}"), \"worker_rss_kb_under_load\": $load_kb}"

# The same drain for tasks enqueued through POST /tasks/batch (1,000 a request), then the
# start latency of one more 1,000-task batch sent to the idle worker.
fresh_redis
batch_json=$(cd bench && "$py" batch_side.py enqueue --count "$drain_n" --size 1000 --queue bench_drain --ids "../$dir/batch-ids.txt")
history_settled
started=$(now)
"$bin/celeriac-worker" -n bench-batch -Q bench_drain -c 64 2>>"$dir/worker.log" & bw1=$!; pids+=($bw1)
secs=$(celery_side drain --queue bench_drain --last "$("$py" -c "import json; print(json.loads('$batch_json')['last'])")" --started "$started" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
sleep 2
(cd bench && "$py" batch_side.py enqueue --count 1000 --size 1000 --queue bench_drain --ids "../$dir/batch-latency-ids.txt") >/dev/null
starts=$(cd bench && "$py" batch_side.py starts --ids "../$dir/batch-latency-ids.txt")
kill -TERM $bw1; wait_gone $bw1
record "{\"bench\": \"batch_drain\", \"tasks\": $drain_n, \"enqueue\": $batch_json, \"seconds\": $secs, \"tasks_per_s\": $("$py" -c "print(round($drain_n/$secs))"), \"batch_of_1000_starts\": $starts}"

drain_celery() {  # drain_celery LABEL ARGS...
  local label=$1; shift
  local last started pid rewrites
  last=$(preload_fresh --count "$drain_n" --task bench.noop --queue bench_celery | "$py" -c 'import json,sys; print(json.load(sys.stdin)["last"])')
  rewrites=$(aof_rewrites)
  started=$(now)
  (cd bench && exec "$py" -m celery -A bench_app worker -Q bench_celery --without-mingle --without-gossip -l warning "$@") \
    >"$dir/celery-$label.log" 2>&1 & pid=$!; pids+=($pid)
  sleep 3
  local kb; kb=$(tree_rss_kb $pid)
  secs=$(celery_side drain --queue bench_celery --last "$last" --started "$started" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
  kill -TERM $pid; wait_gone $pid
  record "{\"bench\": \"drain\", \"consumer\": \"celery $label\", \"tasks\": $drain_n, \"seconds\": $secs, \"tasks_per_s\": $("$py" -c "print(round($drain_n/$secs))"), \"aof_rewrites\": $(($(aof_rewrites) - rewrites)), \"rss_kb_under_load\": $kb}"
}
drain_celery "prefork -c 2" --pool prefork -c 2
drain_celery "threads -c 8" --pool threads -c 8
(cd bench && exec "$py" -m celery -A bench_app worker -Q bench_idle_celery --without-mingle --without-gossip -l warning --pool prefork -c 2) \
  >"$dir/celery-idle.log" 2>&1 & cpid=$!; pids+=($cpid)
sleep 5
record "{\"bench\": \"rss_idle\", \"process\": \"celery worker prefork -c 2 (all processes)\", \"kb\": $(tree_rss_kb $cpid)}"
kill -TERM $cpid; wait_gone $cpid

# 3. Latency at 10/50/90% of the sustained end-to-end rate (enqueue over HTTP while the
# worker runs, which shares the cores): the lower of the drain rate and what the load
# generator achieves unthrottled. bench/loadgen paces POSTs open loop over $lat_conns
# keep-alive connections; it is native code so that it leaves the cores to what it measures.
swift build -c release --package-path bench/loadgen >/dev/null
loadgen=bench/loadgen/.build/release/loadgen
# An empty Redis with a fresh append-only file: the last drain leaves 100k records and
# result keys (1-day TTL), and records like them made Redis rewrite its append-only file
# every ~30 s here, a 6 s burst on one of the two cores that lands in some latency windows
# and not others.
fresh_redis
latency_run() {  # RATE → the report's JSON
  local load
  load=$("$loadgen" --rate "$1" --seconds "$lat_s" --connections "$lat_conns" --port "$api_port" \
    --queue bench_latency --ids "$dir/latency-ids.txt")
  celery_side latency-report --ids "../$dir/latency-ids.txt" --load "$load" --rate "$1" --connections "$lat_conns"
}
"$bin/celeriac-worker" -n bench-latency -Q bench_latency -c 64 2>>"$dir/worker.log" & lw=$!; pids+=($lw)
sleep 1
flat_out=$(latency_run 100000)
record "{\"bench\": \"latency_calibration\", \"result\": $flat_out}"
e2e_max=$("$py" -c "import json; print(min($ours_max, json.loads('$flat_out')['achieved_rate']))")
redis-cli -p "$redis_port" del bench_latency >/dev/null
sleep 2
# Each window starts from a compacted append-only file. A task writes ~2.9 KB to it, so the
# calibration and each window leave enough behind for Redis to start a rewrite (a forked
# child that takes one of the two cores for a second or more) early in the next window:
# p99 at 50% load was 2.0-2.8 ms in ad-hoc windows without one and 5.9-6.8 ms with one.
# Rewrites that a window's own writes cause still happen, and are counted in the report.
for share in 10 50 90; do
  rate=$("$py" -c "print(max(10, round($e2e_max * $share / 100)))")
  compact_aof
  rewrites=$(aof_rewrites)
  out_json=$(latency_run "$rate")
  record "{\"bench\": \"latency\", \"load_percent\": $share, \"aof_rewrites\": $(($(aof_rewrites) - rewrites)), \"result\": $out_json}"
done
kill -TERM $lw; wait_gone $lw

# 3b. ETA lateness: tasks due 1,000 a second (parked in celeriac:scheduled, moved when due by
# the API's and the worker's movers), how late each starts (started_at - eta).
"$bin/celeriac-worker" -n bench-eta -Q bench_eta -c 64 2>>"$dir/worker.log" & ew=$!; pids+=($ew)
sleep 1
eta_json=$(cd bench && "$py" eta_lateness.py --api "$CELERIAC_API_URL" --queue bench_eta --count "$eta_n" --rate 1000 \
  --lead "$eta_lead")
record "{\"bench\": \"eta_lateness\", \"result\": $eta_json}"
kill -TERM $ew; wait_gone $ew

# 3c. Beat: 10,000 schedules (every-second intervals and crontabs), one beat leading; how
# late each send is against its tick, the beat's RSS and its CPU per 1,000 sends.
beat_json=$(cd bench && "$py" beat_lateness.py --beat "$bin/celeriac-beat" --redis-port "$redis_port" --pg-port "$pg_port" \
  --seconds "$beat_s" --intervals "$beat_intervals" --crontabs "$beat_crontabs" --log "../$dir/beat.log")
record "{\"bench\": \"beat_lateness\", \"result\": $beat_json}"

# 4. Scaling: 1, 2, 4 workers on the same backlog; cost with a long queue.
for workers in 1 2 4; do
  drain_ours "$scale_n" "$workers" 32
  record "{\"bench\": \"scaling\", \"workers\": $workers, \"tasks\": $scale_n, \"tasks_per_s\": $("$py" -c "print(round($scale_n/$secs))")}"
done
take=$((scale_n / 5)) windows=3
for backlog in 1000 "$big_n"; do
  # backlog + what is taken: the queue never gets shorter than the backlog while the rate is
  # taken (the median of three windows of `take` messages).
  celery_side preload --count $((backlog + windows * take)) --queue bench_long >/dev/null
  # Loading 1M messages (~1 GB) makes Redis rewrite its append-only file, a burst of many
  # seconds on one of the two cores: done before the rate is taken, in both cases alike.
  compact_aof
  # The watcher first, so it sees the full queue however fast the worker starts.
  celery_side take --queue bench_long --count "$take" --windows $windows --full $((backlog + windows * take)) \
    >"$dir/take.json" & tp=$!
  sleep 1
  "$bin/celeriac-worker" -n bench-long -Q bench_long -c 64 2>>"$dir/worker.log" & lp=$!; pids+=($lp)
  wait $tp
  result=$(cat "$dir/take.json")
  kill -TERM $lp; wait_gone $lp
  redis-cli -p "$redis_port" del bench_long >/dev/null
  record "{\"bench\": \"queue_length\", \"queued\": $backlog, \"result\": $result}"
done

# 5. Task lookup with a big history table: GET /tasks/{id} for tasks whose Redis records are
# gone (PostgreSQL only), with 1k and with $big_n rows. There is no list endpoint yet; this is
# the history read that exists. 8 connections, so the percentiles are not all queueing.
history_settled  # the history rows of the tasks above
for rows in 1000 "$big_n"; do
  pg -c "TRUNCATE django_celery_results_taskresult" -c "
    INSERT INTO django_celery_results_taskresult (task_id, status, content_type, content_encoding, result,
      date_done, meta, task_args, task_kwargs, task_name, worker, date_created, date_started)
    SELECT '00000000-0000-4000-8000-' || lpad(i::text, 12, '0'), 'SUCCESS', 'application/json', 'utf-8', i::text,
      now() - i * interval '1 second', '{\"children\": []}', '\"(' || i || ',)\"', '\"{}\"', 'celeriac.echo',
      'celery@bench', now() - i * interval '1 second', now() - i * interval '1 second'
    FROM generate_series(1, $rows) AS i" -c "ANALYZE django_celery_results_taskresult"
  BENCH_ROWS=$rows wrk -t2 -c8 -d"${lookup_s}s" --latency -s bench/lookup.lua -H "Authorization: Bearer $BENCH_TOKEN" \
    "$CELERIAC_API_URL" >"$dir/lookup.txt"
  record "{\"bench\": \"history_lookup\", \"rows\": $(history_rows), $(
    awk '/Requests\/sec/ {printf "\"per_s\": %s, ", $2}
         /^ +50%/ {printf "\"p50\": \"%s\", ", $2} /^ +99%/ {printf "\"p99\": \"%s\", ", $2}
         /Non-2xx/ {n = $5} END {printf "\"non_2xx\": %d", n}' "$dir/lookup.txt")}"
done

# 6. Backup: backup.postgres against `pg_dump | gzip > file` on the same ~1 GB database
# (kept in the bench cluster between runs), interleaved; the worker's RSS while it runs.
mkdir -p "$dir/backups" "$dir/backup-reference"
printf '{"BENCH_BACKUP_DB": "postgresql://celeriac@127.0.0.1:%s/celeriac_bench_backup"}\n' "$pg_port" >"$dir/backup-secrets.json"
CELERIAC_BACKUP_DIR="$PWD/$dir/backups" CELERIAC_SECRETS_FILE="$dir/backup-secrets.json" \
  "$bin/celeriac-worker" -n bench-backup -Q bench_backup -c 2 2>>"$dir/worker.log" & bw=$!; pids+=($bw)
sleep 1
backup_json=$("$py" bench/backup_vs_pgdump.py --api "$CELERIAC_API_URL" --pg-port "$pg_port" --worker-pid $bw \
  --queue bench_backup --secret BENCH_BACKUP_DB --rows "$backup_rows" --rounds "$backup_rounds" --out "$dir/backup-reference")
record "{\"bench\": \"backup\", \"result\": $backup_json}"
kill -TERM $bw; wait_gone $bw
rm -rf "$dir/backups"

# 7. Notification fan-out: a 10,000-recipient broadcast to a local aiosmtpd (against Python's
# smtplib on one connection to the same server), and 10,000 web pushes to a local endpoint.
vapid=$("$bin/celeriac" vapid generate)
push_keys=$("$py" -c 'import base64, os
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import serialization
k = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
e = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
print(e(k), e(os.urandom(16)))')
printf '{"BENCH_SMTP": "smtp://127.0.0.1:18102", "BENCH_MAIL_DB": "%s"}\n' "$CELERIAC_DATABASE_URL" >"$dir/notify-secrets.json"
printf '{"bench_subscribers": {"database": "BENCH_MAIL_DB", "table": "bench_subscriber", "email": "email", "name": "name"}}\n' \
  >"$dir/mail-sources.json"
VAPID_PRIVATE_KEY=$(sed -n 's/^VAPID_PRIVATE_KEY=//p' <<<"$vapid") SMTP_URL=smtp://127.0.0.1:18102 \
  CELERIAC_SECRETS_FILE="$dir/notify-secrets.json" CELERIAC_MAIL_SOURCES="$dir/mail-sources.json" CELERIAC_MAIL_FROM=bench@example.com \
  "$bin/celeriac-worker" -n bench-notify -Q bench_notify -c 16 2>>"$dir/worker.log" & nw=$!; pids+=($nw)
sleep 1
notify_json=$(BENCH_PUSH_P256DH=${push_keys% *} BENCH_PUSH_AUTH=${push_keys#* } "$py" bench/notify_fanout.py --api "$CELERIAC_API_URL" \
  --pg-port "$pg_port" --queue bench_notify --smtp-port 18102 --push-port 18103 --mails "$notify_n" --pushes "$notify_n")
record "{\"bench\": \"notify\", \"result\": $notify_json}"
kill -TERM $nw; wait_gone $nw

# 8. data.load: 1M rows from a local paged server into PostgreSQL, against psql \copy of the
# same rows from a CSV file.
printf '{"BENCH_LOAD_DB": "%s"}\n' "$CELERIAC_DATABASE_URL" >"$dir/load-secrets.json"
printf '{"bench_stations": {"database": "BENCH_LOAD_DB", "table": "bench_load", "key": ["id"], "batch_rows": 2000, "columns": {"id": {"type": "integer"}, "name": {}, "elevation": {"type": "numeric"}, "active": {"type": "boolean"}, "updated": {"type": "timestamptz"}}, "source": {"url": "http://127.0.0.1:18104/stations", "records": "/data", "pagination": {"type": "page", "param": "page", "start": 1}}}}\n' \
  >"$dir/loads.json"
CELERIAC_SECRETS_FILE="$dir/load-secrets.json" CELERIAC_DATA_LOADS="$dir/loads.json" \
  "$bin/celeriac-worker" -n bench-load -Q bench_load -c 2 2>>"$dir/worker.log" & lw2=$!; pids+=($lw2)
sleep 1
load_json=$("$py" bench/load_vs_copy.py --api "$CELERIAC_API_URL" --pg-port "$pg_port" --queue bench_load --port 18104 \
  --rows "$load_rows" --page "$load_page" --csv "$PWD/$dir/load-reference.csv")
record "{\"bench\": \"data_load\", \"result\": $load_json}"
kill -TERM $lw2; wait_gone $lw2

"$py" bench/report.py "$out" "$mode" >"$dir/report.md"
if [ "$mode" = full ]; then "$py" bench/report.py "$out" "$mode" --update BENCHMARKS.md; fi
cat "$dir/report.md"
