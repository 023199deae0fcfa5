#!/usr/bin/env bash
# Starts or stops a throwaway Redis and PostgreSQL cluster under a directory.
#   scripts/services.sh start DIR REDIS_PORT PG_PORT   (a port of "-" skips that service)
#   scripts/services.sh stop  DIR
# PostgreSQL refuses to run as root: when run as root, the cluster runs as the `postgres`
# user, in a directory that user can reach (a /tmp directory linked from DIR if needed).
set -euo pipefail
cmd=${1:?usage: services.sh start|stop DIR [REDIS_PORT PG_PORT]}
dir=$(realpath -m "${2:?directory}")
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi

stop() {
  if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; rm -f "$dir/redis.pid"; fi
  if [ -e "$dir/pg" ] && [ -f "$dir/pg/postmaster.pid" ]; then
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

start() {
  local redis_port=${1:?redis port} pg_port=${2:?postgres port}
  mkdir -p "$dir"
  if [ "$redis_port" != - ] && ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir" --daemonize yes --databases 32 \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --appendonly yes --save ""
    # PONG, not just an answer: a Redis loading its append-only file answers LOADING.
    for _ in $(seq 600); do redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  fi
  [ "$pg_port" = - ] && return 0
  if [ ! -e "$dir/pg" ]; then
    local target="$dir/pg"
    if [ ${#as_pg[@]} -gt 0 ] && ! runuser -u postgres -- test -x "$dir"; then
      target=$(mktemp -d /tmp/celeriac-pg.XXXXXX)
      ln -s "$target" "$dir/pg"
    fi
    mkdir -p "$target"
    [ ${#as_pg[@]} -gt 0 ] && chown postgres "$target"
    "${as_pg[@]}" "$pgbin/initdb" -D "$dir/pg" -U celeriac --auth=trust -E UTF8 >"$dir/initdb.log"
  fi
  if ! "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/pg" status >/dev/null 2>&1; then
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/pg" -w -l "$dir/pg/server.log" \
      -o "-p $pg_port -k $(realpath "$dir/pg") -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
  fi
  "$pgbin/psql" -h 127.0.0.1 -p "$pg_port" -U celeriac -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'celeriac'" | grep -q 1 ||
    "$pgbin/createdb" -h 127.0.0.1 -p "$pg_port" -U celeriac celeriac
}

case "$cmd" in
  start) shift 2; start "$@" ;;
  stop) stop ;;
  *) echo "usage: services.sh start|stop DIR [REDIS_PORT PG_PORT]" >&2; exit 2 ;;
esac
