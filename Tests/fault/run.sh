#!/usr/bin/env bash
# Fault tests (Tests/fault/faults.py) with the debug binaries, the test PostgreSQL and a Redis
# of their own. Usage: Tests/fault/run.sh PG_PORT SCENARIO [--kills N]
set -euo pipefail
cd "$(dirname "$0")/../.."
pg_port=${1:?postgres port}
shift
venv=$(scripts/venv.sh)
bin=$(swift build --show-bin-path)
[ -x "$bin/celeriac-api" ] && [ -x "$bin/celeriac-worker" ] && [ -x "$bin/celeriac-beat" ] && [ -x "$bin/celeriac" ] || swift build
export CELERIAC_BIN=$bin CELERIAC_FAULT_PG_PORT=$pg_port
mkdir -p .celeriac/test/fault
status=0
(cd Tests/fault && "../../$venv/bin/python" -u faults.py "$@") || status=$?
if [ $status -ne 0 ]; then
  for f in .celeriac/test/fault/*.log; do echo "--- $f (tail)"; tail -15 "$f"; done
fi
exit $status
