"""Celery measurements for bench/run.sh; prints one JSON object per command.

    python celery_side.py enqueue --procs N --seconds S      apply_async in a loop, N processes
    python celery_side.py preload --count N --task T --queue Q    N protocol-v2 messages via LPUSH
    python celery_side.py drain --queue Q --last ID --timeout S   waits until Q drained and ID's result exists
    python celery_side.py take --queue Q --count N --full F [--windows W]
                                                                  rate a consumer takes N off a queue of F,
                                                                  median of W windows
    python celery_side.py latency --rate R --seconds S --api URL [--procs N]
                                                                  paced POST /tasks; enqueue→start/result
"""
import argparse
import base64
import json
import multiprocessing
import os
import time
import uuid

import redis

URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6401/0")


def enqueue_worker(seconds, queue, out):
    from bench_app import app
    n = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.send_task("bench.noop", args=[n], queue=queue)
        n += 1
    out.put(n)


def cmd_enqueue(args):
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=enqueue_worker, args=(args.seconds, args.queue, out))
             for _ in range(args.procs)]
    start = time.monotonic()
    for p in procs:
        p.start()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    elapsed = time.monotonic() - start
    print(json.dumps({"procs": args.procs, "tasks": total, "seconds": round(elapsed, 2),
                      "tasks_per_s": round(total / args.seconds)}))


def message(task, task_id, queue, args):
    """A Celery protocol v2 message as Celery 5.7 writes it (see Tests/CeleriacCoreTests/Fixtures)."""
    body = base64.b64encode(json.dumps([args, {}, {"callbacks": None, "errbacks": None, "chain": None,
                                                   "chord": None}]).encode()).decode()
    return json.dumps({
        "body": body, "content-encoding": "utf-8", "content-type": "application/json",
        "headers": {"lang": "py", "task": task, "id": task_id, "shadow": None, "eta": None, "expires": None,
                    "group": None, "group_index": None, "retries": 0, "timelimit": [None, None],
                    "root_id": task_id, "parent_id": None, "argsrepr": repr(tuple(args)), "kwargsrepr": "{}",
                    "origin": "bench@host", "ignore_result": False, "replaced_task_nesting": 0,
                    "stamped_headers": None, "stamps": {}},
        "properties": {"correlation_id": task_id, "reply_to": str(uuid.uuid4()), "delivery_mode": 2,
                       "delivery_info": {"exchange": "", "routing_key": queue}, "priority": 0,
                       "body_encoding": "base64", "delivery_tag": str(uuid.uuid4())}})


def cmd_preload(args):
    r = redis.Redis.from_url(URL)
    last = None
    pipe = r.pipeline(transaction=False)
    for i in range(args.count):
        last = str(uuid.uuid4())
        pipe.lpush(args.queue, message(args.task, last, args.queue, [i]))
        if i % 5000 == 4999:
            pipe.execute()
    pipe.execute()
    print(json.dumps({"queue": args.queue, "count": args.count, "last": last, "length": r.llen(args.queue)}))


def cmd_drain(args):
    """Waits until the queue is empty, nothing is leased or unacked, and the last result exists."""
    r = redis.Redis.from_url(URL)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if (r.llen(args.queue) == 0 and r.zcard("celeriac:leases") == 0 and r.hlen("unacked") == 0
                and r.exists(f"celery-task-meta-{args.last}")):
            print(json.dumps({"seconds": round(time.time() - args.started, 2)}))
            return
        time.sleep(0.05)
    raise SystemExit(f"not drained after {args.timeout}s: {r.llen(args.queue)} left")


def cmd_take(args):
    """Rate at which a consumer takes messages off a queue pre-filled with `full` messages:
    `windows` back-to-back windows of `count` messages each, timed from its first take so
    start-up does not count; the median window counts (one lasts about a second, so one
    passing slowdown of the host would decide a single one). Start it before the consumer; it
    gives up after `timeout` seconds without getting there."""
    r = redis.Redis.from_url(URL)
    deadline = time.monotonic() + args.timeout

    def wait_until(done):
        while not done():
            if time.monotonic() > deadline:
                raise SystemExit(f"take: not done after {args.timeout}s, {r.llen(args.queue)} left")
            time.sleep(0.001)

    wait_until(lambda: r.llen(args.queue) < args.full)
    start = time.monotonic()
    length = r.llen(args.queue)
    rates = []
    for window in range(1, args.windows + 1):
        target = max(0, args.full - window * args.count)
        wait_until(lambda: r.llen(args.queue) <= target)
        now, left = time.monotonic(), r.llen(args.queue)
        rates.append(round((length - left) / (now - start)))
        start, length = now, left
    print(json.dumps({"taken": args.windows * args.count, "tasks_per_s": sorted(rates)[len(rates) // 2],
                      "windows_per_s": rates}))


def pct(values, p):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))] * 1000, 3)


def cmd_latency_report(args):
    """Latencies of the tasks bench/loadgen created (ids in a file), from the records' own
    timestamps: created_at by the API, started_at/finished_at by the worker (one clock)."""
    load = json.loads(args.load)
    ids = [line.strip() for line in open(args.ids) if line.strip()]
    time.sleep(2)  # the last tasks finish
    r = redis.Redis.from_url(URL)
    pipe = r.pipeline(transaction=False)
    for task_id in ids:
        pipe.hmget(f"celeriac:task:{task_id}", "created_at", "started_at", "finished_at")
    rows = pipe.execute()
    starts = [float(s) - float(c) for c, s, f in rows if c and s]
    results = [float(f) - float(c) for c, s, f in rows if c and f]
    print(json.dumps({"target_rate": args.rate, "achieved_rate": load["achieved_rate"], "tasks": len(ids),
                      "connections": args.connections, "late_sends": load["late_sends"], "errors": load["errors"],
                      "start_ms": {"p50": pct(starts, 0.5), "p99": pct(starts, 0.99), "p999": pct(starts, 0.999)},
                      "result_ms": {"p50": pct(results, 0.5), "p99": pct(results, 0.99), "p999": pct(results, 0.999)}}))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("enqueue")
    p.add_argument("--procs", type=int, default=1)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--queue", default="bench_celery_enqueue")
    p = sub.add_parser("preload")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--task", default="celeriac.echo")
    p.add_argument("--queue", required=True)
    p = sub.add_parser("drain")
    p.add_argument("--queue", required=True)
    p.add_argument("--last", required=True)
    p.add_argument("--started", type=float, required=True, help="Unix time when the consumer started")
    p.add_argument("--timeout", type=float, default=900)
    p = sub.add_parser("take")
    p.add_argument("--queue", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--full", type=int, required=True, help="messages in the queue before the consumer starts")
    p.add_argument("--windows", type=int, default=3)
    p.add_argument("--timeout", type=float, default=300)
    p = sub.add_parser("latency-report")
    p.add_argument("--ids", required=True, help="file of task ids, one per line")
    p.add_argument("--load", required=True, help="loadgen's JSON summary")
    p.add_argument("--rate", type=float, required=True, help="target rate, for the report")
    p.add_argument("--connections", type=int, required=True)
    args = parser.parse_args()
    {"enqueue": cmd_enqueue, "preload": cmd_preload, "drain": cmd_drain, "take": cmd_take,
     "latency-report": cmd_latency_report}[args.cmd](args)


if __name__ == "__main__":
    main()
