"""`backup.postgres` against `pg_dump | gzip > file` on the same database in the same run.

Fills a database with ~1 GB of rows once (kept between runs when its size matches), then,
interleaved for `--rounds` rounds: the reference pipeline (pg_dump's stdout into gzip's stdin,
as the shell's `|` does; gzip at its default level 6, as ours), and our task through the API
(enqueue → SUCCESS, polled every 20 ms). While ours runs, the worker's RSS is sampled every
50 ms; VmHWM gives its peak. Prints one JSON object: medians, every run, sizes, RSS.
"""
import argparse
import json
import os
import statistics
import subprocess
import threading
import time
import urllib.request

p = argparse.ArgumentParser()
p.add_argument("--api", required=True)
p.add_argument("--pg-port", required=True)
p.add_argument("--worker-pid", type=int, required=True)
p.add_argument("--queue", required=True)
p.add_argument("--secret", required=True, help="the secret naming the database's URL, as the worker knows it")
p.add_argument("--database", default="celeriac_bench_backup")
p.add_argument("--rows", type=int, default=6_000_000)
p.add_argument("--rounds", type=int, default=2)
p.add_argument("--out", required=True, help="a directory for the reference's files")
args = p.parse_args()

PSQL = ["psql", "-X", "-q", "-At", "-h", "127.0.0.1", "-p", args.pg_port, "-U", "celeriac"]


def psql(db, sql):
    return subprocess.run(PSQL + ["-d", db, "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


def fill():
    """~175 bytes a row (two md5 strings, a 64-byte text, a time, two integers): 6M rows ≈ 1 GB."""
    exists = psql("postgres", f"SELECT count(*) FROM pg_database WHERE datname = '{args.database}'") == "1"
    if exists and psql(args.database, "SELECT count(*) FROM pg_tables WHERE tablename = 'events'") == "1" \
            and psql(args.database, "SELECT max(id) FROM events") == str(args.rows):
        return
    psql("postgres", f"DROP DATABASE IF EXISTS {args.database}")
    psql("postgres", f"CREATE DATABASE {args.database}")
    psql(args.database, f"""
        CREATE TABLE events AS SELECT i AS id, md5(i::text) AS a, md5((i * 7)::text) AS b,
            timestamptz '2026-01-01' + i * interval '1 second' AS at, (i * 37) % 1000 AS n,
            repeat(md5((i * 13)::text), 2) AS c
        FROM generate_series(1, {args.rows}) AS i;
        ALTER TABLE events ADD PRIMARY KEY (id);
        CREATE TABLE accounts AS SELECT i AS id, 'user ' || i AS name FROM generate_series(1, 10000) AS i""")
    psql(args.database, "VACUUM ANALYZE")


def reference(round_):
    path = os.path.join(args.out, f"reference-{round_}.sql.gz")
    started = time.monotonic()
    with open(path, "wb") as out:
        dump = subprocess.Popen(["pg_dump", "-h", "127.0.0.1", "-p", args.pg_port, "-U", "celeriac", args.database],
                                stdout=subprocess.PIPE)
        gzip = subprocess.run(["gzip"], stdin=dump.stdout, stdout=out, check=True)
        dump.stdout.close()
        assert dump.wait() == 0 and gzip.returncode == 0
        out.flush()
        os.fsync(out.fileno())  # ours fsyncs before its rename: the same for both
    seconds = time.monotonic() - started
    size = os.path.getsize(path)
    os.remove(path)
    return seconds, size


def rss_kb(field):
    with open(f"/proc/{args.worker_pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def http(method, path, body=None):
    request = urllib.request.Request(args.api + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ.get("BENCH_TOKEN", "")})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def ours():
    samples, done = [], threading.Event()

    def sample():
        while not done.is_set():
            samples.append(rss_kb("VmRSS"))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    task = http("POST", "/tasks", {"task": "backup.postgres", "queue": args.queue,
                                   "kwargs": {"database": args.secret, "keep": 1, "notify": False}})
    while True:
        state = http("GET", f"/tasks/{task['id']}")
        if state["state"] in ("SUCCESS", "FAILURE", "REVOKED"):
            break
        time.sleep(0.02)
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    if state["state"] != "SUCCESS":
        raise SystemExit(f"backup.postgres ended {state['state']}: {state.get('error')}")
    return seconds, state["result"], max(samples)


fill()
size_bytes = int(psql(args.database, f"SELECT pg_database_size('{args.database}')"))
rss_before = rss_kb("VmRSS")
refs, runs, peaks = [], [], []
for round_ in range(args.rounds):
    refs.append(reference(round_))
    seconds, result, peak = ours()
    runs.append((seconds, result))
    peaks.append(peak)
ref_s = statistics.median(s for s, _ in refs)
our_s = statistics.median(s for s, _ in runs)
last = runs[-1][1]
print(json.dumps({
    "database_bytes": size_bytes, "rows": sum(last["tables"].values()),
    "reference_seconds": round(ref_s, 2), "reference_runs": [round(s, 2) for s, _ in refs], "reference_file_bytes": refs[-1][1],
    "ours_seconds": round(our_s, 2), "ours_runs": [round(s, 2) for s, _ in runs], "ours_file_bytes": last["bytes"],
    "ours_job_seconds": [r["duration_s"] for _, r in runs], "ratio": round(our_s / ref_s, 3),
    "worker_rss_kb_before": rss_before, "worker_rss_kb_peak_sampled": max(peaks), "worker_vmhwm_kb": rss_kb("VmHWM"),
}))
