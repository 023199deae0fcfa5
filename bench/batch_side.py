"""Helpers for the bulk-enqueue rows of bench/run.sh.

    batch_side.py enqueue --count N --size S --queue Q   POST /tasks/batch until N tasks are queued;
                                                         prints {"ids_file", "seconds"}
    batch_side.py starts --ids FILE                      enqueue → start latency of those tasks
                                                         (records' created_at and started_at)
"""
import argparse
import json
import os
import time
import urllib.request

import redis

API = os.environ["CELERIAC_API_URL"]
TOKEN = os.environ["BENCH_TOKEN"]
URL = os.environ["BENCH_REDIS_URL"]


def post(body):
    request = urllib.request.Request(API + "/tasks/batch", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def cmd_enqueue(args):
    ids = []
    started = time.monotonic()
    while len(ids) < args.count:
        size = min(args.size, args.count - len(ids))
        tasks = [{"task": "celeriac.echo", "args": [len(ids) + i, "x"], "queue": args.queue} for i in range(size)]
        answer = post({"tasks": tasks})
        ids += [item["id"] for item in answer["tasks"]]
    seconds = time.monotonic() - started
    with open(args.ids, "w") as f:
        f.write("\n".join(ids) + "\n")
    print(json.dumps({"tasks": len(ids), "seconds": round(seconds, 2), "last": ids[-1]}))


def pct(values, p):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))] * 1000, 3)


def cmd_starts(args):
    ids = [line.strip() for line in open(args.ids) if line.strip()]
    r = redis.Redis.from_url(URL)
    deadline = time.monotonic() + 60
    while True:
        pipe = r.pipeline(transaction=False)
        for task_id in ids:
            pipe.hmget(f"celeriac:task:{task_id}", "created_at", "started_at")
        rows = pipe.execute()
        starts = [float(s) - float(c) for c, s in rows if c and s]
        if len(starts) == len(ids) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    print(json.dumps({"tasks": len(ids), "started": len(starts), "start_ms": {
        "p50": pct(starts, 0.5), "p99": pct(starts, 0.99), "max": pct(starts, 1.0)}}))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("enqueue")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--size", type=int, default=1000)
    p.add_argument("--queue", required=True)
    p.add_argument("--ids", required=True)
    p = sub.add_parser("starts")
    p.add_argument("--ids", required=True)
    args = parser.parse_args()
    {"enqueue": cmd_enqueue, "starts": cmd_starts}[args.command](args)


if __name__ == "__main__":
    main()
