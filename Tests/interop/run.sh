#!/usr/bin/env bash
# Interop tests against real Celery from PyPI: our API + worker + beat and a Celery worker share the
# test Redis (database 14). Usage: Tests/interop/run.sh REDIS_PORT PG_PORT
set -euo pipefail
cd "$(dirname "$0")/../.."
redis_port=${1:?redis port}
pg_port=${2:?postgres port}
venv=$(scripts/venv.sh)
logs=.celeriac/test/interop
mkdir -p "$logs"
. scripts/api-under-test.sh

export CELERIAC_INTEROP_REDIS_URL="redis://127.0.0.1:$redis_port/14"
export CELERIAC_INTEROP_OUR_QUEUE=interop_celeriac CELERIAC_INTEROP_CELERY_QUEUE=interop_celery
redis-cli -p "$redis_port" -n 14 flushdb >/dev/null  # database 14 belongs to this script alone
api_port=${CELERIAC_INTEROP_API_PORT:-18089}
export CELERIAC_INTEROP_API_URL="http://127.0.0.1:$api_port"

api_pid=
pids=()
cleanup() {
  local all=(${api_pid:+"$api_pid"} ${pids[@]+"${pids[@]}"})
  [ ${#all[@]} -gt 0 ] && kill "${all[@]}" 2>/dev/null; wait 2>/dev/null || true
}
trap cleanup EXIT
# The Celery worker's tasks: our API accepts them though no worker of ours announces them.
export CELERIAC_TASKS_ALLOWED="interop.*"
start_api_under_test "$api_port" "$CELERIAC_INTEROP_REDIS_URL" "$pg_port" celeriac_interop "$logs/api.log"
# A secret for test_secrets: its value must never show in a log, a result or an error.
export CELERIAC_INTEROP_SINK_PORT=${CELERIAC_INTEROP_SINK_PORT:-18096}
export CELERIAC_INTEROP_SECRET_TOKEN="s3cr3t-$RANDOM$RANDOM"
# INTEROP_DB: the database test_backup backs up (a URL only the worker sees).
printf '{"INTEROP_SLACK": "http://127.0.0.1:%s/hook/%s", "INTEROP_DB": "postgresql://celeriac@127.0.0.1:%s/celeriac_interop"}\n' \
  "$CELERIAC_INTEROP_SINK_PORT" "$CELERIAC_INTEROP_SECRET_TOKEN" "$pg_port" >"$logs/secrets.json"
# test_webpush: a VAPID key pair, the private half a secret of the worker's.
export CELERIAC_INTEROP_PUSH_PORT=${CELERIAC_INTEROP_PUSH_PORT:-18097}
vapid=$("$bin/celeriac" vapid generate)
export CELERIAC_INTEROP_VAPID_PUBLIC=$(sed -n 's/^VAPID_PUBLIC_KEY=//p' <<<"$vapid")
export VAPID_PRIVATE_KEY=$(sed -n 's/^VAPID_PRIVATE_KEY=//p' <<<"$vapid")
export CELERIAC_INTEROP_BACKUP_DIR=$PWD/$logs/backups
rm -rf "$CELERIAC_INTEROP_BACKUP_DIR" && mkdir -p "$CELERIAC_INTEROP_BACKUP_DIR"
export CELERIAC_INTEROP_LOGS=$PWD/$logs
# test_email starts workers of its own (one it kills with SIGKILL) and two SMTP servers.
export CELERIAC_INTEROP_BIN=$bin CELERIAC_INTEROP_SMTP_PORT=${CELERIAC_INTEROP_SMTP_PORT:-18098}
# test_commands: a Python program as a command task, run in a directory of its own.
export CELERIAC_INTEROP_COMMAND_CWD=$PWD/$logs/command-cwd
mkdir -p "$CELERIAC_INTEROP_COMMAND_CWD"
"$venv/bin/python" - "$PWD/$venv/bin/python" "$PWD/Tests/interop/command_task.py" "$CELERIAC_INTEROP_COMMAND_CWD" >"$logs/commands.json" <<'PY'
import json, sys
python, script, cwd = sys.argv[1:]
print(json.dumps({"interop.cmd.report": {
    "argv": [python, script], "cwd": cwd, "env": {"GREETING": "hallo"}, "summary": "Builds a report (interop)",
    "time_limit": 30, "schema": {"fields": [{"name": "mode", "type": "string", "choices": ["echo", "fail", "sleep"]}],
                                 "allows_others": True}}}))
PY
CELERIAC_REDIS_URL=$CELERIAC_INTEROP_REDIS_URL CELERIAC_API_URL=$CELERIAC_INTEROP_API_URL CELERIAC_COMMANDS="$logs/commands.json" \
  CELERIAC_SECRETS_FILE="$logs/secrets.json" CELERIAC_BACKUP_DIR="$CELERIAC_INTEROP_BACKUP_DIR" CELERIAC_LOG_LEVEL=debug \
  "$bin/celeriac-worker" -Q "$CELERIAC_INTEROP_OUR_QUEUE" -n interop@celeriac 2>"$logs/worker.log" & pids+=($!)
(cd Tests/interop && exec "../../$venv/bin/celery" -A interop_app worker -Q "$CELERIAC_INTEROP_CELERY_QUEUE" \
  --pool=solo -n interop@celery --without-mingle --without-gossip -l warning) >"$logs/celery.log" 2>&1 & pids+=($!)
# Our beat on the same database and Redis: it sends what test_beat (and Django's rows) schedule.
[ -x "$bin/celeriac-beat" ] || swift build --product celeriac-beat
CELERIAC_REDIS_URL=$CELERIAC_INTEROP_REDIS_URL CELERIAC_DATABASE_URL="postgresql://celeriac@127.0.0.1:$pg_port/celeriac_interop" \
  CELERIAC_BEAT_NAME=interop-beat CELERIAC_LOG_LEVEL=debug "$bin/celeriac-beat" 2>"$logs/beat.log" & pids+=($!)

status=0
export CELERIAC_INTEROP_DATABASE=celeriac_interop CELERIAC_INTEROP_PG_PORT=$pg_port
(cd Tests/interop && "../../$venv/bin/python" -m unittest -v ${CELERIAC_INTEROP_ONLY:-test_interop test_django test_beat test_secrets test_backup test_webpush test_email test_commands test_data_load}) || status=$?
# `celeriac schedules` over the same API: create, list, disable, run, delete a periodic task.
schedules() { "$bin/celeriac" schedules "$@" --api "$CELERIAC_INTEROP_API_URL"; }
cli_check() {
  local id
  id=$(schedules create --name cli-weekly --task celeriac.echo --crontab '30 1 * * 3' --timezone Asia/Seoul \
    --queue "$CELERIAC_INTEROP_OUR_QUEUE" | "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["id"])')
  schedules list --search cli-weekly | grep -q $'\tcli-weekly\tceleriac.echo\t' &&
    schedules disable "$id" | grep -qx "1 task was successfully disabled" &&
    schedules run "$id" | grep -qx "1 task was successfully run" &&
    schedules delete "$id" | grep -qx "deleted periodic task $id" &&
    ! schedules show "$id" 2>/dev/null
}
cli_check || { echo "celeriac schedules: CLI check failed"; status=1; }
# `celeriac enqueue --from-file` through POST /tasks/batch: ids in the file's order, the
# refused line named on stderr, exit status 1 because of it.
enqueue_file_check() {
  local file=$logs/tasks.jsonl out
  printf '%s\n' "{\"task\": \"celeriac.echo\", \"args\": [1], \"queue\": \"$CELERIAC_INTEROP_OUR_QUEUE\"}" \
    '{"args": [2]}' "{\"task\": \"celeriac.echo\", \"args\": [3], \"queue\": \"$CELERIAC_INTEROP_OUR_QUEUE\"}" >"$file"
  if out=$("$bin/celeriac" enqueue --from-file "$file" --chunk 2 --api "$CELERIAC_INTEROP_API_URL" 2>"$logs/enqueue-file.err"); then
    return 1
  fi
  [ "$(wc -l <<<"$out")" -eq 2 ] && grep -q '^line 2: task: required$' "$logs/enqueue-file.err"
}
enqueue_file_check || { echo "celeriac enqueue --from-file: CLI check failed"; cat "$logs/enqueue-file.err"; status=1; }
if [ $status -ne 0 ]; then
  for f in api worker celery beat; do echo "--- $f log (tail)"; tail -30 "$logs/$f.log"; done
fi
exit $status
