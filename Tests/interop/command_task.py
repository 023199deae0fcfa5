"""The program behind the interop command tasks (CELERIAC_COMMANDS in run.sh): reads the
task's JSON line on stdin and does what `kwargs["mode"]` says."""
import json
import os
import sys
import time

task = json.loads(sys.stdin.readline())
kwargs = task["kwargs"]
mode = kwargs.get("mode", "echo")
if mode == "echo":
    print("starting (not JSON)")
    print(json.dumps({"progress": 1}))
    print(json.dumps({"args": task["args"], "kwargs": kwargs, "task_id": task["task_id"], "cwd": os.getcwd(),
                      "env": {k: os.environ.get(k) for k in ("GREETING", "HOME", "CELERIAC_WORKER_TOKEN")}}))
    print("done (not JSON either)")
elif mode == "fail":
    print("Traceback (most recent call last):\n  File \"report.py\", line 12, in <module>\nValueError: week 53 has no data",
          file=sys.stderr)
    sys.exit(3)
elif mode == "sleep":
    with open(kwargs["pidfile"], "w") as f:
        f.write(str(os.getpid()))
    time.sleep(60)
