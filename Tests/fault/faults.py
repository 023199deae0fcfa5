"""Fault tests against real processes (see docs/delivery.md for the guarantees checked).

    python faults.py kill --kills 20      kill -9 random workers under load, restart them
    python faults.py redis-restart        restart redis-server mid-load
    python faults.py batch-redis-kill     kill -9 redis-server while batches are sent: every task
                                          queued has its record and every record its message
    python faults.py api-restart          kill -9 and restart celeriac-api mid-load
    python faults.py postgres-down        stop PostgreSQL mid-run, start it again
    python faults.py shutdown             SIGTERM past the grace period; SIGINT twice
    python faults.py zombie               SIGSTOP a worker past its lease, SIGCONT it later
    python faults.py beat                 3 beats, 50 every-second schedules for 60 s; the leader
                                          killed twice and paused once: each tick sent once
    python faults.py all                  all of the above (what `make test` runs)

Ports: CELERIAC_FAULT_REDIS_PORT (6397), CELERIAC_FAULT_API_PORT (18090); PostgreSQL from
CELERIAC_FAULT_PG_PORT. Prints one JSON line of measurements per scenario.
"""
import argparse
import json
import os
import random
import signal
import subprocess
import threading
import time

import redis

from stack import LOGS, ROOT, Stack, http, sleep_args, wait_until

REDIS_PORT = int(os.environ.get("CELERIAC_FAULT_REDIS_PORT", "6397"))
API_PORT = int(os.environ.get("CELERIAC_FAULT_API_PORT", "18090"))
PG_PORT = int(os.environ["CELERIAC_FAULT_PG_PORT"])


def stack(name):
    return Stack(name, REDIS_PORT, API_PORT, PG_PORT)


def check_history(s, ids, timeout=60):
    """Every id has exactly one history row, in SUCCESS (the API flushes rows in batches)."""
    id_list = ",".join(f"'{i}'" for i in ids)
    query = (f"SELECT count(*), count(DISTINCT task_id) FROM django_celery_results_taskresult "
             f"WHERE status = 'SUCCESS' AND task_id IN ({id_list})")
    wait_until(lambda: s.psql(query) == f"{len(ids)}|{len(ids)}", timeout, f"{len(ids)} SUCCESS rows in history")


def kill_test(kills, tasks=2000, workers=3, interval=2.0):
    s = stack("kill")
    try:
        s.start_api()
        names = [f"fault-{i}" for i in range(workers)]
        for name in names:
            s.start_worker(name, concurrency=2)
        ids = [s.enqueue("celeriac.sleep", sleep_args(), retries=5) for _ in range(tasks)]
        assert all(ids), "enqueue failed"
        killed = {}  # task id -> wall time of the first kill that hit it in flight
        for _ in range(kills):
            time.sleep(interval)
            name = random.choice(names)
            s.workers[name].send_signal(signal.SIGKILL)
            s.workers[name].wait()
            now = time.time()
            in_flight = s.leased_tasks(name)  # its leases stay put until its restart reaps them
            for task_id in in_flight:
                killed.setdefault(task_id, now)
            s.start_worker(name, concurrency=2)
        states = s.wait_all_final(ids, timeout=120)
        bad = [(i, st) for i, st in zip(ids, states) if st != "SUCCESS"]
        assert not bad, f"not SUCCESS: {bad[:5]}"
        check_history(s, ids)
        wait_until(lambda: s.leases_left() == 0, 30, "no lease left")
        # Kill to re-start: the first start (or, when the start report was stale because the
        # dead attempt had already reported SUCCESS, the finish) stamped after the kill.
        restarted_at = {}
        for task_id, at in killed.items():
            rec = s.record(task_id)
            stamps = [float(rec[k]) for k in ("started_at", "finished_at") if float(rec.get(k, "0")) > at]
            if stamps:
                restarted_at[task_id] = min(stamps) - at
        missing = [i for i in killed if i not in restarted_at]
        assert not missing, f"killed tasks never restarted: {missing[:5]}"
        worst = max(restarted_at.values(), default=0.0)
        assert worst <= 30, f"a killed task restarted only after {worst:.1f}s"
        crashes = sum(int(s.record(i).get("crashes", "0")) for i in ids)
        print(json.dumps({"scenario": "kill", "kills": kills, "tasks": tasks, "tasks_in_flight_at_kills": len(killed),
                          "crashes_recorded": crashes, "max_kill_to_restart_s": round(worst, 3),
                          "p50_kill_to_restart_s": round(sorted(restarted_at.values())[len(restarted_at) // 2], 3)
                          if restarted_at else None}))
    finally:
        s.stop()


def under_load(s, fault, tasks=600):
    """Enqueues `tasks` sleeps from a thread while `fault` runs; returns the 201'd ids."""
    accepted = []

    def producer():
        for _ in range(tasks):
            task_id = s.enqueue("celeriac.sleep", [0.01])
            if task_id:
                accepted.append(task_id)
            time.sleep(0.005)

    thread = threading.Thread(target=producer)
    thread.start()
    time.sleep(1.0)
    fault()
    thread.join()
    return accepted


def redis_restart_test():
    s = stack("redis")
    try:
        s.start_api()
        s.start_worker("redis-a", concurrency=8)
        s.start_worker("redis-b", concurrency=8)
        refused = []

        def while_down():
            # The API answers 503 problem+json (never 500) and accepts nothing.
            time.sleep(0.5)
            status, problem = http("POST", s.api_url + "/tasks", {"task": "celeriac.echo", "args": [1]})
            refused.append((status, problem.get("status"), http("GET", s.api_url + "/ready")[0]))

        def fault():
            s.restart_redis(while_down)

        accepted = under_load(s, fault)
        assert refused == [(503, 503, 503)], refused
        states = s.wait_all_final(accepted, timeout=90)
        assert all(st == "SUCCESS" for st in states), "a 201'd task did not succeed after the Redis restart"
        check_history(s, accepted)
        print(json.dumps({"scenario": "redis-restart", "accepted": len(accepted), "all_succeeded": True}))
    finally:
        s.stop()


def batch_redis_kill_test():
    """`POST /tasks/batch` while Redis is killed with SIGKILL and started again from its
    append-only file: each batch's transaction is applied whole or not at all, so no message
    is left without its record (nor a record without its message), and every task a 201
    answered for is there."""
    s = stack("batch")
    queue = "fault_batch"
    try:
        s.start_api()
        accepted, refused = [], []
        stop = threading.Event()

        def producer():
            n = 0
            while not stop.is_set():
                tasks = [{"task": "celeriac.echo", "args": [n + i, "x" * 200], "queue": queue} for i in range(200)]
                n += 200
                status, body = http("POST", s.api_url + "/tasks/batch", {"tasks": tasks})
                if status == 201:
                    accepted.extend(item["id"] for item in body["tasks"] if "id" in item)
                else:
                    refused.append(status)
                    time.sleep(0.05)

        thread = threading.Thread(target=producer)
        thread.start()
        time.sleep(1.0)
        s.redis_proc.kill()
        s.redis_proc.wait(10)
        time.sleep(0.5)
        s.start_redis()
        time.sleep(1.5)
        stop.set()
        thread.join()
        client = redis.Redis(port=REDIS_PORT)
        queued = [json.loads(message)["headers"]["id"] for message in client.lrange(queue, 0, -1)]
        records = {key.decode()[len("celeriac:task:"):] for key in client.scan_iter("celeriac:task:*", count=1000)}
        assert len(queued) == len(set(queued)), "a task was queued twice"
        assert set(queued) - records == set(), f"{len(set(queued) - records)} messages without a record"
        assert records - set(queued) == set(), f"{len(records - set(queued))} records without a message"
        assert set(accepted) <= set(queued), f"{len(set(accepted) - set(queued))} tasks answered 201 are missing"
        assert refused and set(refused) == {503}, refused
        print(json.dumps({"scenario": "batch-redis-kill", "accepted": len(accepted), "queued": len(queued),
                          "batches_refused": len(refused), "messages_without_record": 0, "records_without_message": 0}))
    finally:
        s.stop()


def api_restart_test():
    s = stack("api")
    try:
        s.start_api()
        s.start_worker("api-a", concurrency=8)

        def fault():
            s.api.send_signal(signal.SIGKILL)
            s.api.wait()
            time.sleep(2)  # workers keep leases and buffer reports meanwhile
            s.start_api()

        accepted = under_load(s, fault)
        states = s.wait_all_final(accepted, timeout=90)
        assert all(st == "SUCCESS" for st in states), "a 201'd task did not succeed after the API restart"
        # Reports the killed API had applied but not yet written to PostgreSQL waited in the
        # Redis outbox: every task has its row.
        check_history(s, accepted)
        print(json.dumps({"scenario": "api-restart", "accepted": len(accepted), "all_succeeded": True,
                          "history_complete": True}))
    finally:
        s.stop()


def postgres_down_test():
    """A PostgreSQL of its own, stopped mid-run: enqueue and results go on, history catches up."""
    services = os.path.join(ROOT, "scripts", "services.sh")
    pg_dir = os.path.join(ROOT, ".celeriac", "test", "fault-pg")
    pg_port = PG_PORT + 1
    subprocess.run([services, "start", pg_dir, "-", str(pg_port)], check=True)
    s = Stack("pgdown", REDIS_PORT, API_PORT, pg_port)
    try:
        s.start_api()
        s.start_worker("pg-a", concurrency=8)
        before = [s.enqueue("celeriac.echo", [i]) for i in range(50)]
        subprocess.run([services, "stop", pg_dir], check=True)
        ready = http("GET", s.api_url + "/ready")
        assert ready[0] == 200 and ready[1]["postgres"] == "unavailable", ready
        during = [s.enqueue("celeriac.echo", [i]) for i in range(200)]
        assert all(during), "enqueue failed while PostgreSQL was down"
        states = s.wait_all_final(during, timeout=60)
        assert all(st == "SUCCESS" for st in states)
        subprocess.run([services, "start", pg_dir, "-", str(pg_port)], check=True)
        check_history(s, before + during, timeout=90)
        print(json.dumps({"scenario": "postgres-down", "enqueued_while_down": len(during), "history_caught_up": True}))
    finally:
        s.stop()
        subprocess.run([services, "stop", pg_dir])


def shutdown_test():
    """SIGTERM past the grace period, and SIGINT twice: unfinished tasks go back, no crash."""
    s = stack("shutdown")
    try:
        s.start_api()
        timings = {}
        for how, env in (("sigterm", {"CELERIAC_SHUTDOWN_GRACE": 1}), ("sigint-twice", {"CELERIAC_SHUTDOWN_GRACE": 60})):
            worker = s.start_worker(f"stop-{how}", concurrency=4, **env)
            ids = [s.enqueue("celeriac.sleep", [30]) for _ in range(4)]
            wait_until(lambda: all(st == "STARTED" for st in s.states(ids)), 20, "4 tasks started")
            began = time.monotonic()
            if how == "sigterm":
                worker.send_signal(signal.SIGTERM)
            else:
                worker.send_signal(signal.SIGINT)
                time.sleep(0.5)
                worker.send_signal(signal.SIGINT)
            worker.wait(30)
            timings[how] = round(time.monotonic() - began, 2)
            assert s.r.llen("celery") == 4, f"{how}: {s.r.llen('celery')} tasks back in the queue"
            for task_id in ids:
                rec = s.record(task_id)
                assert rec.get("crashes", "0") == "0" and rec.get("lease") == "released", rec
            assert s.leases_left() == 0
            s.r.delete("celery")
        # SIGTERM: the 1 s grace starts at the signal (a busy worker is woken, not left to
        # notice within its next 1 s wait); SIGINT twice: 0.5 s between the two, then out.
        assert timings["sigterm"] < 1.7 and timings["sigint-twice"] < 1.5, timings
        print(json.dumps({"scenario": "shutdown", "exit_after_signal_s": timings, "returned_without_crash": True}))
    finally:
        s.stop()


def zombie_test():
    s = stack("zombie")
    try:
        s.start_api()
        zombie = s.start_worker("zombie", concurrency=1)
        task_id = s.enqueue("celeriac.sleep", [3])
        wait_until(lambda: s.record(task_id).get("state") == "STARTED", 20, "zombie started the task")
        zombie.send_signal(signal.SIGSTOP)
        stopped = time.monotonic()
        s.start_worker("rescuer", concurrency=1)
        # Silent for the dead-worker window (10 s): the reaper hands the task to the rescuer.
        wait_until(lambda: s.record(task_id).get("state") == "SUCCESS", 40, "re-run succeeded")
        rerun_after = time.monotonic() - stopped
        assert s.record(task_id).get("worker") == "rescuer"
        zombie.send_signal(signal.SIGCONT)
        # The zombie's sleep is long over: it reports at once, with its stale lease token.
        log = os.path.join(LOGS, "zombie-zombie.log")
        wait_until(lambda: "superseded" in open(log).read(), 30, "zombie's report rejected")
        rec = s.record(task_id)
        assert rec.get("worker") == "rescuer", rec
        assert rec.get("crashes") == "1", rec
        check_history(s, [task_id])
        assert s.psql(f"SELECT worker FROM django_celery_results_taskresult WHERE task_id = '{task_id}'") == "rescuer"
        print(json.dumps({"scenario": "zombie", "rerun_after_stop_s": round(rerun_after, 2), "zombie_report": "409"}))
    finally:
        s.stop()


def beat_failover_test(schedules=50, seconds=60, lease=3):
    """Three beats send 50 every-second schedules for 60 s while the leader is killed with
    kill -9 twice (a supervisor restarts it) and paused past its lease once: every tick is
    sent exactly once, counted by the queue's messages, the dedup keys and history rows."""
    s = stack("beat")
    queue = "beat_fault"
    try:
        s.start_api()
        wait_until(lambda: http("GET", s.api_url + "/periodic-tasks")[0] == 200, 30, "schedule tables migrated")
        for n in range(schedules):
            status, body = http("POST", s.api_url + "/periodic-tasks", {
                "name": f"fault-{n}", "task": "celeriac.echo", "args": [n], "queue": queue,
                "interval": {"every": 1, "period": "seconds"}})
            assert status == 201, body
        env = {"CELERIAC_BEAT_LEASE_SECONDS": lease}
        names = [f"beat-{i}" for i in range(3)]
        for name in names:
            s.start_beat(name, **env)
        wait_until(lambda: s.beat_leader() in names and s.r.llen(queue) > 0, 30, "a leader sending")
        began = time.monotonic()
        events = []

        def at(offset):
            time.sleep(max(0.0, began + offset - time.monotonic()))

        def takeover(old):
            wait_until(lambda: s.beat_leader() not in (None, old), lease + 3, f"a standby to take over from {old}")
            return s.beat_leader()

        for offset in (12, 28):
            at(offset)
            leader = s.beat_leader()
            t0 = time.monotonic()
            s.beats[leader].kill()
            s.beats[leader].wait()
            new = takeover(leader)
            events.append({"kill -9": leader, "taken_over_by": new, "after_s": round(time.monotonic() - t0, 2)})
            s.start_beat(leader, **env)
        at(42)
        leader = s.beat_leader()
        t0 = time.monotonic()
        s.beats[leader].send_signal(signal.SIGSTOP)
        new = takeover(leader)
        events.append({"SIGSTOP": leader, "taken_over_by": new, "after_s": round(time.monotonic() - t0, 2)})
        time.sleep(2)
        s.beats[leader].send_signal(signal.SIGCONT)  # wakes as a deposed leader: must send nothing
        at(seconds)
        for proc in s.beats.values():
            proc.send_signal(signal.SIGTERM)
        for proc in s.beats.values():
            proc.wait(15)
        ended = time.time()

        # Each message: its task id (derived from the tick) and periodic task.
        messages = [json.loads(m) for m in s.r.lrange(queue, 0, -1)]
        ids = [m["headers"]["id"] for m in messages]
        duplicates = len(ids) - len(set(ids))
        # Each dedup key names one tick of one task: celeriac:beat:fired:<task>:<tick ms> -> record key.
        ticks = {}
        keyed_ids = set()
        for key in s.r.scan_iter("celeriac:beat:fired:*", count=1000):
            value = s.r.get(key)
            if value is None:  # expired meanwhile: one of the first ticks
                continue
            _, _, _, task, tick = key.decode().split(":")
            ticks.setdefault(int(task), []).append(int(tick))
            keyed_ids.add(value.decode().removeprefix("celeriac:task:"))
        missed = 0
        for task, sent in ticks.items():
            sent.sort()
            gaps = [b - a for a, b in zip(sent, sent[1:])]
            missed += sum(round(g / 1000) - 1 for g in gaps if g > 1001)
            assert all(999 <= g <= 1001 for g in gaps), f"task {task}: ticks not every second: {gaps}"
            assert sent[-1] / 1000 > ended - 3, f"task {task}: last tick {sent[-1]} long before the end {ended}"
        assert len(ticks) == schedules, f"{len(ticks)} of {schedules} schedules sent"
        assert duplicates == 0, f"{duplicates} ticks sent twice"
        # Dedup keys live 60 s: the first second's may be gone; every other message has one.
        assert keyed_ids <= set(ids), f"{len(keyed_ids - set(ids))} dedup keys without a message"
        unkeyed = [float(s.r.hget(f"celeriac:task:{i}", "created_at")) for i in set(ids) - keyed_ids]
        assert all(created < ended - 55 for created in unkeyed), f"{len(unkeyed)} recent messages without a dedup key"
        wait_until(lambda: s.psql(
            "SELECT count(*), count(DISTINCT task_id) FROM django_celery_results_taskresult WHERE task_name = 'celeriac.echo'"
        ) == f"{len(ids)}|{len(ids)}", 30, f"{len(ids)} history rows")
        for name, proc in s.beats.items():
            log = open(os.path.join(LOGS, f"beat-{name}.log")).read()
            assert "Fatal error" not in log, f"{name} crashed"
        print(json.dumps({"scenario": "beat", "schedules": schedules, "seconds": seconds, "sent": len(ids),
                          "duplicates": duplicates, "missed": missed, "history_rows": len(ids), "failovers": events}))
    finally:
        s.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["kill", "redis-restart", "batch-redis-kill", "api-restart", "postgres-down", "shutdown", "zombie", "beat", "all"])
    parser.add_argument("--kills", type=int, default=20)
    args = parser.parse_args()
    if args.scenario in ("kill", "all"):
        # Enough work that every kill lands under load (~57 tasks/s with 3 workers of -c 2).
        kill_test(args.kills, tasks=max(2000, args.kills * 60))
    if args.scenario in ("redis-restart", "all"):
        redis_restart_test()
    if args.scenario in ("batch-redis-kill", "all"):
        batch_redis_kill_test()
    if args.scenario in ("api-restart", "all"):
        api_restart_test()
    if args.scenario in ("postgres-down", "all"):
        postgres_down_test()
    if args.scenario in ("shutdown", "all"):
        shutdown_test()
    if args.scenario in ("zombie", "all"):
        zombie_test()
    if args.scenario in ("beat", "all"):
        beat_failover_test()


if __name__ == "__main__":
    main()
