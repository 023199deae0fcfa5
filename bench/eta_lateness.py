"""ETA lateness: how late tasks due at a steady rate start. Posts COUNT tasks with `eta`
values RATE per second apart, all due after a lead time (so every one is parked in
`celeriac:scheduled` first), waits for them, and reads each task's `started_at`: lateness is
`started_at - eta` (both from this machine's clock). Prints one JSON object.

    python eta_lateness.py --api URL --queue Q --count 5000 --rate 1000 --lead 10
"""
import argparse
import http.client
import json
import os
import time
import urllib.parse
from datetime import datetime, timezone


def iso(seconds):
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat()


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--lead", type=float, default=10)
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.api)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)

    def call(method, path, body=None):
        connection.request(method, path, body=None if body is None else json.dumps(body),
                           headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ.get("BENCH_TOKEN", "")})
        response = connection.getresponse()
        return response.status, json.loads(response.read())

    first = time.time() + args.lead
    tasks = []
    for index in range(args.count):
        eta = first + index / args.rate
        status, created = call("POST", "/tasks", {"task": "celeriac.echo", "queue": args.queue, "eta": iso(eta)})
        assert status == 201, (status, created)
        tasks.append((created["id"], eta))
    posted_by = time.time()
    time.sleep(max(0, first + args.count / args.rate + 3 - time.time()))
    lateness, missing = [], 0
    for task_id, eta in tasks:
        status, task = call("GET", f"/tasks/{task_id}")
        started = task.get("started_at") if status == 200 else None
        if not started:
            missing += 1
            continue
        lateness.append((datetime.fromisoformat(started).timestamp() - eta) * 1000)
    print(json.dumps({
        "tasks": args.count, "rate": args.rate, "posted_before_first_due_s": round(first - posted_by, 2),
        "not_started": missing, "p50_ms": round(percentile(lateness, 0.50), 2),
        "p99_ms": round(percentile(lateness, 0.99), 2), "max_ms": round(max(lateness), 2),
        "early": sum(1 for value in lateness if value < 0),
    }))


if __name__ == "__main__":
    main()
