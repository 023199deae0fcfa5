"""Turns bench/run.sh's results.jsonl into Markdown; with --update FILE, replaces the part of
FILE between the bench markers with it (the rest of BENCHMARKS.md is written by hand)."""
import json
import platform
import subprocess
import sys
from datetime import datetime, timezone

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "n/a"


def render(rows, mode):
    by = lambda name: [r for r in rows if r["bench"] == name]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    import celery
    out = [f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, mode `{mode}`, `make bench`.",
           f"Machine: {cpu}, {len([l for l in open('/proc/cpuinfo') if l.startswith('processor')])} cores, "
           f"{platform.system()} {platform.release()}; {version(['swift', '--version'])}; "
           f"{version(['redis-server', '--version'])}; Celery {celery.__version__}, Python {platform.python_version()}.",
           ""]
    enqueue = by("http_enqueue")[0]
    celery1, celery8 = [r["result"] for r in by("celery_apply_async")]
    lpush = by("redis_lpush")[0]
    out += ["### Enqueue", "",
            "| Producer | tasks/s | ours ÷ it |", "|---|---|---|",
            f"| Celeriac `POST /tasks` (wrk, 64 connections, unique bodies) | {enqueue['tasks_per_s']:.0f} | 1 |",
            f"| Celery `apply_async`, 1 process | {celery1['tasks_per_s']} | {ratio(enqueue['tasks_per_s'], celery1['tasks_per_s'])} |",
            f"| Celery `apply_async`, 8 processes | {celery8['tasks_per_s']} | {ratio(enqueue['tasks_per_s'], celery8['tasks_per_s'])} |",
            f"| `redis-benchmark -t lpush -c 64 -d {lpush['payload_bytes']}` (the limit) | {lpush['per_s']:.0f} | "
            f"{ratio(enqueue['tasks_per_s'], lpush['per_s'])} |",
            "", f"Non-2xx answers during the wrk runs: {enqueue['non_2xx']}.", ""]
    if len(enqueue.get("runs", [])) > 1:
        runs = lambda r: ", ".join(f"{x:.0f}" for x in r["runs"])
        out[-1:] = ["", f"Each is the median of {len(enqueue['runs'])} rounds, interleaved: ours {runs(enqueue)}; Celery 1 process "
                    f"{runs(celery1)}; 8 processes {runs(celery8)} tasks/s.", ""]
    drains = by("drain")
    ours = drains[0]
    out += ["### Worker drain (reports and results included)", "",
            "Each drain starts from an empty Redis holding only its preloaded messages, with a compacted "
            "append-only file; the rewrites column counts those the drain's own writes started.", "",
            "| Consumer | tasks | seconds | tasks/s | ours ÷ it | AOF rewrites during |", "|---|---|---|---|---|---|"]
    for d in drains:
        rewrites = d.get("aof_rewrites", "?")
        out.append(f"| {d['consumer']} | {d['tasks']} | {d['seconds']} | {d['tasks_per_s']} | "
                   f"{ratio(ours['tasks_per_s'], d['tasks_per_s'])} | "
                   f"{', '.join(map(str, rewrites)) if isinstance(rewrites, list) else rewrites} |")
    if "runs_seconds" in ours:
        out += ["", f"Ours is the median of three drains ({', '.join(map(str, ours['runs_seconds']))} s): each takes "
                    f"a tenth of Celery's time, so a passing slowdown of the shared host weighs more on one of them."]
    calibration = by("latency_calibration")
    if calibration:
        result = calibration[0]["result"]
        out += ["", f"Sustained end-to-end rate (bench/loadgen unthrottled, {result.get('connections', 1)} keep-alive "
                    f"connections, worker running): {result['achieved_rate']} tasks/s; loads below are shares "
                    f"of the lower of this and the drain rate."]
    out += ["", "### Latency (enqueue → start, enqueue → result; ms)", "",
            "| Load | target/s | achieved/s | start p50 | p99 | p99.9 | result p50 | p99 | p99.9 | AOF rewrites during |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for l in by("latency"):
        r = l["result"]
        out.append(f"| {l['load_percent']}% | {r['target_rate']:.0f} | {r['achieved_rate']} | {r['start_ms']['p50']} | "
                   f"{r['start_ms']['p99']} | {r['start_ms']['p999']} | {r['result_ms']['p50']} | "
                   f"{r['result_ms']['p99']} | {r['result_ms']['p999']} | {l.get('aof_rewrites', '?')} |")
    for e in by("eta_lateness"):
        r = e["result"]
        out += ["", "### ETA lateness (tasks due 1,000 a second; start − eta)", "",
                "| tasks | p50 ms | p99 ms | max ms | started early | not started |", "|---|---|---|---|---|---|",
                f"| {r['tasks']} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['early']} | {r['not_started']} |"]
    for b in by("beat_lateness"):
        r = b["result"]
        out += ["", f"### Beat ({r['schedules']} schedules: {r['intervals_every_second']} every second, {r['crontabs']} crontabs; "
                    "send − tick)", "",
                "| seconds | sends | sends/s | p50 ms | p99 ms | max ms | over 50 ms | early | beat RSS MiB | CPU ms per 1,000 sends |",
                "|---|---|---|---|---|---|---|---|---|---|",
                f"| {r['seconds']} | {r['sends']} | {r['sends_per_s']} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | "
                f"{r['over_50ms']} | {r['early']} | {r['beat_rss_kb'] / 1024:.1f} | {r['cpu_ms_per_1000_sends']} |"]
    for b in by("backup"):
        r = b["result"]
        out += ["", f"### Backup (`backup.postgres` against `pg_dump | gzip > file`, a {r['database_bytes'] / 2**30:.2f} GiB "
                    f"database, {r['rows']:,} rows)", "",
                "| | seconds (median) | runs | file MiB | ours ÷ it |", "|---|---|---|---|---|",
                f"| `backup.postgres` (enqueue → SUCCESS; rows counted, gzip, SHA-256, fsync) | {r['ours_seconds']} | "
                f"{', '.join(map(str, r['ours_runs']))} | {r['ours_file_bytes'] / 2**20:.1f} | {r['ratio']}× |",
                f"| `pg_dump \\| gzip > file` (then fsync) | {r['reference_seconds']} | {', '.join(map(str, r['reference_runs']))} | "
                f"{r['reference_file_bytes'] / 2**20:.1f} | 1 |",
                "", f"Worker RSS: {r['worker_rss_kb_before'] / 1024:.1f} MiB before, {r['worker_rss_kb_peak_sampled'] / 1024:.1f} MiB "
                    f"peak sampled every 50 ms during the backups, VmHWM {r['worker_vmhwm_kb'] / 1024:.1f} MiB."]
    batches = by("batch_enqueue")
    if batches:
        out += ["", "### Bulk enqueue (`POST /tasks/batch`, wrk 8 connections; the single-task row's body per task)", "",
                "| tasks per request | tasks/s | requests/s | ÷ LPUSH | Redis CPU µs per task | non-2xx |", "|---|---|---|---|---|---|"]
        for b in batches:
            out.append(f"| {b['batch']} | {b['tasks_per_s']} | {b['requests_per_s']} | {b['tasks_per_s'] / b['lpush_per_s'] * 100:.0f}% | "
                       f"{b['redis_cpu_us_per_task']} | {b['non_2xx']} |")
    for b in by("batch_drain"):
        s = b["batch_of_1000_starts"]["start_ms"]
        out += ["", f"Drain of {b['tasks']:,} tasks enqueued 1,000 a request ({b['enqueue']['seconds']} s to enqueue): "
                    f"{b['seconds']} s, {b['tasks_per_s']} tasks/s (celeriac-worker -c 64). A 1,000-task batch sent to the idle "
                    f"worker: enqueue → start p50 {s['p50']} ms, p99 {s['p99']} ms, max {s['max']} ms."]
    for b in by("notify"):
        r = b["result"]
        out += ["", f"### Notification fan-out (local peers; mail {r['mail_bytes']} bytes)", "",
                "| | count | seconds | per second |", "|---|---|---|---|",
                f"| `notify.email` broadcast from a recipient source to aiosmtpd (one task, batches of 1,000) | {r['mails']} | "
                f"{r['mail_seconds']} | {r['mails_per_s']} |",
                f"| Python `smtplib`, one connection, to the same aiosmtpd (reference) | {r['mails']} | "
                f"{r['reference_smtplib_seconds']} | {r['reference_smtplib_per_s']} |",
                f"| `notify.webpush` to a local endpoint ({r['push_tasks']} tasks of ≤ 1,000 subscriptions) | {r['pushes']} | "
                f"{r['push_seconds']} | {r['pushes_per_s']} |"]
    for b in by("data_load"):
        r = b["result"]
        out += ["", f"### data.load ({r['rows']:,} rows in {r['pages']} pages of {r['page_rows']:,}, local HTTP → PostgreSQL)", "",
                "| | seconds | rows/s | ÷ \\copy |", "|---|---|---|---|",
                f"| `data.load` (enqueue → SUCCESS; upsert in batches, one transaction per page) | {r['ours_seconds']} | "
                f"{r['ours_rows_per_s']} | {r['ratio']}× |",
                f"| `psql \\copy` of the same rows from a CSV file (reference) | {r['copy_seconds']} | {r['copy_rows_per_s']} | 1 |"]
    out += ["", "### Memory (RSS)", "", "| Process | state | MiB |", "|---|---|---|"]
    for m in by("rss_idle"):
        out.append(f"| {m['process']} | idle | {m['kb'] / 1024:.1f} |")
    out.append(f"| celeriac-api | under wrk load | {enqueue['api_rss_kb_under_load'] / 1024:.1f} |")
    out.append(f"| celeriac-worker -c 64 | draining | {ours['worker_rss_kb_under_load'] / 1024:.1f} |")
    for d in drains[1:]:
        out.append(f"| {d['consumer']} (all processes) | draining | {d['rss_kb_under_load'] / 1024:.1f} |")
    out += ["", "### Scaling", "", "| Workers (-c 32 each) | tasks | tasks/s |", "|---|---|---|"]
    for s in by("scaling"):
        out.append(f"| {s['workers']} | {s['tasks']} | {s['tasks_per_s']} |")
    out += ["", "| Messages queued | taken | tasks/s (median window) | windows |", "|---|---|---|---|"]
    for q in by("queue_length"):
        windows = ", ".join(str(w) for w in q["result"].get("windows_per_s", []))
        out.append(f"| {q['queued']} | {q['result']['taken']} | {q['result']['tasks_per_s']} | {windows} |")
    lookups = by("history_lookup")
    if lookups:
        out += ["", "### Task lookup from history (`GET /tasks/{id}`, PostgreSQL only; wrk, 8 connections)", "",
                "| History rows | requests/s | p50 | p99 | non-2xx |", "|---|---|---|---|---|"]
        for h in lookups:
            out.append(f"| {h['rows']} | {h['per_s']:.0f} | {h['p50']} | {h['p99']} | {h['non_2xx']} |")
    return "\n".join(out) + "\n"


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    text = render(rows, sys.argv[2])
    if len(sys.argv) > 4 and sys.argv[3] == "--update":
        path = sys.argv[4]
        doc = open(path).read()
        head, _, rest = doc.partition(BEGIN)
        _, _, tail = rest.partition(END)
        open(path, "w").write(f"{head}{BEGIN}\n{text}{END}{tail}")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
