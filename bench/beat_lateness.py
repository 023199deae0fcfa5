"""Beat fire lateness with 10,000 schedules: 1,000 every-second intervals with random phases
and 9,000 crontabs (every minute of one hour of the day each, so ~375 fire at each minute
boundary of the current hour). Starts one celeriac-beat (the leader), lets it send for
SECONDS, and reads each send of the window from Redis: lateness is the record's
`created_at` (stamped when beat builds the send) minus the tick its dedup key names. Also
the beat's RSS and the CPU it used per 1,000 sends. Prints one JSON object.

    python beat_lateness.py --beat BIN/celeriac-beat --redis-port 6401 --pg-port 15441 --seconds 65
"""
import argparse
import json
import os
import signal
import subprocess
import time

import redis

QUEUE = "bench_beat"


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--beat", required=True)
    parser.add_argument("--redis-port", type=int, required=True)
    parser.add_argument("--pg-port", type=int, required=True)
    parser.add_argument("--database", default="celeriac")
    parser.add_argument("--intervals", type=int, default=1000)
    parser.add_argument("--crontabs", type=int, default=9000)
    parser.add_argument("--seconds", type=float, default=65)
    parser.add_argument("--log", default="beat.log")
    args = parser.parse_args()
    r = redis.Redis(port=args.redis_port, socket_timeout=30)

    def psql(sql):
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "celeriac", "-d", args.database,
                        "-qAt", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=sql, text=True, check=True)

    # The rows as Django writes them (every NOT NULL column), made in bulk.
    psql(f"""
        DELETE FROM django_celery_beat_periodictask WHERE name LIKE 'bench-beat-%';
        INSERT INTO django_celery_beat_intervalschedule (every, period)
            SELECT 1, 'seconds' WHERE NOT EXISTS
                (SELECT 1 FROM django_celery_beat_intervalschedule WHERE every = 1 AND period = 'seconds');
        INSERT INTO django_celery_beat_crontabschedule (minute, hour, day_of_week, day_of_month, month_of_year, timezone)
            SELECT '*', h::text, '*', '*', '*', 'UTC' FROM generate_series(0, 23) AS h;
        INSERT INTO django_celery_beat_periodictask (name, task, args, kwargs, headers, queue, one_off, enabled,
                total_run_count, date_changed, description, interval_id)
            SELECT 'bench-beat-i' || n, 'celeriac.echo', '[' || n || ']', '{{}}', '{{}}', '{QUEUE}', false, true, 0,
                now() - random() * interval '1 second', '',
                (SELECT min(id) FROM django_celery_beat_intervalschedule WHERE every = 1 AND period = 'seconds')
            FROM generate_series(1, {args.intervals}) AS n;
        INSERT INTO django_celery_beat_periodictask (name, task, args, kwargs, headers, queue, one_off, enabled,
                total_run_count, date_changed, description, crontab_id)
            SELECT 'bench-beat-c' || n, 'celeriac.echo', '[' || n || ']', '{{}}', '{{}}', '{QUEUE}', false, true, 0,
                now(), '',
                (SELECT min(id) FROM django_celery_beat_crontabschedule WHERE minute = '*' AND hour = (n % 24)::text
                    AND day_of_week = '*' AND timezone = 'UTC')
            FROM generate_series(1, {args.crontabs}) AS n;
        INSERT INTO django_celery_beat_periodictasks (ident, last_update) VALUES (1, now())
            ON CONFLICT (ident) DO UPDATE SET last_update = now();
        """)
    r.delete(QUEUE)
    for key in r.scan_iter("celeriac:beat:fired:*", count=10000):
        r.delete(key)
    # Dedup keys must outlive the window: they are how each send's tick is read back.
    env = dict(os.environ, CELERIAC_BEAT_CATCHUP_SECONDS=str(int(args.seconds)), CELERIAC_LOG_LEVEL="notice")
    log = open(args.log, "a")
    beat = subprocess.Popen([args.beat, "-n", "bench-beat"], env=env, stdout=log, stderr=log)
    try:
        deadline = time.time() + 60
        while r.llen(QUEUE) == 0:
            assert time.time() < deadline and beat.poll() is None, "beat sent nothing"
            time.sleep(0.05)
        # Two seconds in: the first load and its catch-up sends are behind.
        time.sleep(2)
        start, cpu0 = time.time(), cpu_seconds(beat.pid)
        time.sleep(args.seconds)
        end, cpu1, rss = time.time(), cpu_seconds(beat.pid), rss_kb(beat.pid)
    finally:
        beat.send_signal(signal.SIGTERM)
        beat.wait(30)
    sent = []  # (tick seconds, record key)
    for key in r.scan_iter("celeriac:beat:fired:*", count=10000):
        tick = int(key.rsplit(b":", 1)[1]) / 1000
        if start <= tick < end:
            sent.append((tick, key))
    lateness = []
    for first in range(0, len(sent), 5000):
        chunk = sent[first:first + 5000]
        records = r.mget([key for _, key in chunk])
        pipe = r.pipeline()
        for record in records:
            pipe.hget(record, "created_at")
        for (tick, _), created in zip(chunk, pipe.execute()):
            lateness.append((float(created) - tick) * 1000)
    window = end - start
    print(json.dumps({
        "schedules": args.intervals + args.crontabs, "intervals_every_second": args.intervals,
        "crontabs": args.crontabs, "seconds": round(window, 1), "sends": len(lateness),
        "sends_per_s": round(len(lateness) / window), "p50_ms": round(percentile(lateness, 0.5), 2),
        "p99_ms": round(percentile(lateness, 0.99), 2), "max_ms": round(max(lateness), 2),
        "over_50ms": sum(1 for value in lateness if value > 50),
        # Dedup keys hold the tick rounded up to the millisecond: up to 1 ms "early" is that.
        "early": sum(1 for value in lateness if value < -1),
        "beat_rss_kb": rss, "cpu_ms_per_1000_sends": round((cpu1 - cpu0) * 1000 / len(lateness) * 1000, 1),
        "cpu_percent": round((cpu1 - cpu0) / window * 100, 1),
    }))
    psql("DELETE FROM django_celery_beat_periodictask WHERE name LIKE 'bench-beat-%';")
    r.delete(QUEUE)


if __name__ == "__main__":
    main()
