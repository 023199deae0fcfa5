"""Our beat against Celery's: celeriac-beat (run.sh starts one on the interop database and
Redis) and django-celery-beat's own DatabaseScheduler and a real Celery worker.

- For schedules made through our API, once our beat has fired them and written `last_run_at`
  back, DatabaseScheduler's entry for the row computes the next run our API shows as
  `next_runs[0]` (BeatPlan's rule, the one our beat fires by).
- A schedule made through Django's ORM is fired by our beat and run by the Celery worker; our
  beat writes `last_run_at` and `total_run_count` back; disabling it in Django stops it and
  enabling it again starts it.
"""
import json
import os
import time
import unittest
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import redis

from test_django import http  # first: it sets Django up on the interop database
from test_interop import wait_final
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks
from django_celery_beat.schedulers import DatabaseScheduler
from interop_app import app

CELERY_QUEUE = os.environ["CELERIAC_INTEROP_CELERY_QUEUE"]
REDIS = redis.Redis.from_url(os.environ["CELERIAC_INTEROP_REDIS_URL"])
# Two next runs from the same last_run_at are the same instant (both are exact to the microsecond).
EXACT = 0.001
# A run due now: ours is the API's "now", Celery's the test's, a few milliseconds apart.
NOW = 1.0


def instant(text):
    return None if text is None else datetime.fromisoformat(text)


def wait_for(probe, timeout, what):
    """probe() until it answers something true; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.05)


def celery_next_run(model, now):
    """(due, next run) as django-celery-beat's DatabaseScheduler sees `model` at `now`: its
    entry's `is_due()` answers (is_due, seconds until the next run); due, the seconds count
    from `now` to the run after this one. (The entry is made as the scheduler makes it;
    `all_as_schedule()` itself leaves out crontabs whose hour is not within 2 h of now.)"""
    entry = DatabaseScheduler.Entry(model, app=app)
    zone = getattr(entry.schedule, "tz", timezone.utc)  # TzAwareCrontab's now is in its zone
    entry.schedule.nowfun = lambda: now.astimezone(zone)
    due, seconds = entry.is_due()
    return due, now + timedelta(seconds=seconds)


class BeatTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        deadline = time.monotonic() + 30
        while http("GET", "/periodic-tasks")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.1)

    def setUp(self):
        self.task_ids = []
        self.keys = []

    def tearDown(self):
        for task_id in self.task_ids:
            task = PeriodicTask.objects.filter(id=task_id).first()
            if task is None:
                continue
            schedules = [s for s in (task.interval, task.crontab) if s is not None]
            task.delete()  # bumps last_update: our beat drops it within a second
            for schedule in schedules:
                if not schedule.periodictask_set.exists():
                    schedule.delete()
        time.sleep(1.2)  # a send already under way lands before its queue is deleted
        if self.keys:
            REDIS.delete(*self.keys)

    def snapshot(self, task_id):
        """Ours (GET /periodic-tasks/{id}) and Celery's view of one state of the row, read
        again while our beat's write-back moves `last_run_at` between the two reads."""
        for _ in range(20):
            status, ours = http("GET", f"/periodic-tasks/{task_id}")
            self.assertEqual(status, 200, ours)
            now = datetime.now(timezone.utc)
            model = PeriodicTask.objects.get(id=task_id)
            if instant(ours["last_run_at"]) == model.last_run_at:
                due, theirs = celery_next_run(model, now)
                return ours, [instant(run) for run in ours["next_runs"]], due, theirs, now
            time.sleep(0.1)
        self.fail(f"periodic task {task_id}: last_run_at kept moving")

    def assertSameNextRun(self, task_id, due=False):
        """Celery's next run for the row is ours. Not due: the same instant (a state where it is
        not due is waited for: a short interval is due for a moment before each of our beat's
        write-backs lands). Due: both send it now, and the run after that is the same."""
        deadline = time.monotonic() + 5
        while True:
            ours, runs, celery_due, theirs, now = self.snapshot(task_id)
            if celery_due == due or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        what = f"{ours['name']} ({ours['schedule_description']}), last_run_at {ours['last_run_at']}: " \
               f"ours {[run.isoformat() for run in runs[:2]]}, Celery's {'due; then ' if celery_due else ''}{theirs.isoformat()}"
        self.assertEqual(celery_due, due, what)
        if due:
            self.assertLess(abs((runs[0] - now).total_seconds()), NOW, what)
            self.assertLess(abs((runs[1] - theirs).total_seconds()), NOW, what)
        else:
            self.assertLess(abs((runs[0] - theirs).total_seconds()), EXACT, what)
        return runs

    def sends(self, queue, name):
        """The Celery messages on a queue nobody consumes that our beat sent for `name`."""
        messages = [json.loads(raw) for raw in REDIS.lrange(queue, 0, -1)]
        return [m for m in messages if m["headers"].get("periodic_task_name") == name]

    def create(self, body):
        status, created = http("POST", "/periodic-tasks", body)
        self.assertEqual(status, 201, created)
        self.task_ids.append(created["id"])
        return created["id"]

    def wait_for_run_count(self, task_id, count, timeout=10):
        return wait_for(lambda: (model := PeriodicTask.objects.get(id=task_id)).total_run_count >= count and model,
                        timeout, f"periodic task {task_id}: total_run_count {count}")


class CeleryDatabaseSchedulerAgreesWithOurBeat(BeatTestCase):
    """Schedules made through our API, sent by our beat to a queue nobody consumes."""

    def test_interval_every_3_seconds(self):
        name, queue = "beat-agree-every-3s", "interop_beat_idle_interval"
        self.keys.append(queue)
        task_id = self.create({"name": name, "task": "interop.beat_record", "queue": queue,
                               "kwargs": {"key": "unused"}, "interval": {"every": 3, "period": "seconds"}})
        # Never run: both count from date_changed.
        runs = self.assertSameNextRun(task_id)
        self.assertIn(name, DatabaseScheduler(app=app, lazy=True).all_as_schedule())

        model = self.wait_for_run_count(task_id, 1)
        self.assertIn(model.last_run_at, runs)  # a tick on the grid, written back by our beat
        [message] = self.sends(queue, name)[:1]
        self.assertEqual(message["headers"]["task"], "interop.beat_record")
        self.assertEqual(message["properties"]["delivery_info"]["routing_key"], queue)
        # After each of the next fires too.
        for count in (2, 3):
            self.wait_for_run_count(task_id, count)
            self.assertSameNextRun(task_id)
        self.assertGreaterEqual(len(self.sends(queue, name)), 3)

    def test_weekly_crontab_in_seoul(self):
        name, queue = "beat-agree-weekly-seoul", "interop_beat_idle_crontab"
        self.keys.append(queue)
        task_id = self.create({"name": name, "task": "interop.beat_record", "queue": queue, "kwargs": {"key": "unused"},
                               "crontab": {"minute": "30", "hour": "1", "day_of_week": "3", "timezone": "Asia/Seoul"}})
        now = datetime.now(ZoneInfo("Asia/Seoul"))
        coming = (now + timedelta(days=(2 - now.weekday()) % 7)).replace(hour=1, minute=30, second=0, microsecond=0)
        if coming <= now:
            coming += timedelta(days=7)
        previous = coming - timedelta(days=7)
        # Never run: both count from date_changed.
        self.assertEqual(self.assertSameNextRun(task_id)[0], coming)

        # last_run_at set in Django (`update` does not bump last_update: our beat does not reload,
        # and nothing here is due): both count from it.
        since = datetime.now(timezone.utc) - previous
        for last in (previous, previous + since / 2, previous + since - timedelta(seconds=10)):
            PeriodicTask.objects.filter(id=task_id).update(last_run_at=last)
            self.assertEqual(self.assertSameNextRun(task_id)[0], coming, last)

        # Missed: last_run_at before the last Wednesday's run. Both send it now, and next
        # Wednesday after.
        PeriodicTask.objects.filter(id=task_id).update(last_run_at=previous - timedelta(days=1))
        self.assertEqual(self.assertSameNextRun(task_id, due=True)[1], coming)
        # Our beat, told by last_update, sends it once and writes back the time it sent it as
        # last_run_at (as Celery's beat does: ModelEntry.__next__ sets it to now).
        told = datetime.now(timezone.utc)
        PeriodicTasks.update_changed()
        model = self.wait_for_run_count(task_id, 1)
        self.assertEqual(model.total_run_count, 1)
        self.assertGreaterEqual(model.last_run_at, told - timedelta(seconds=NOW))
        self.assertLessEqual(model.last_run_at, datetime.now(timezone.utc))
        self.assertEqual(self.assertSameNextRun(task_id)[0], coming)
        time.sleep(1.5)
        [message] = self.sends(queue, name)  # once
        self.assertEqual(message["headers"]["task"], "interop.beat_record")
        self.assertEqual(PeriodicTask.objects.get(id=task_id).total_run_count, 1)


class OurBeatFiresForACeleryWorker(BeatTestCase):
    """A schedule made through Django's ORM, run by the real Celery worker of run.sh."""

    def runs(self, key):
        return [json.loads(raw) for raw in REDIS.lrange(key, 0, -1)]

    def ticks_sent(self, task_id):
        """The ticks our beat sent for the task, from its dedup keys (one per tick sent,
        `celeriac:beat:fired:<task id>:<tick, Unix ms>`, docs/beat.md)."""
        return {int(key.rsplit(b":", 1)[1]) for key in REDIS.keys(f"celeriac:beat:fired:{task_id}:*")}

    def test_a_schedule_made_in_django_runs_on_the_celery_worker(self):
        name, key = "beat-orm-every-2s", "interop:beat:runs"
        REDIS.delete(key)
        self.keys.append(key)
        every = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.SECONDS)
        task = PeriodicTask.objects.create(name=name, task="interop.beat_record", interval=every,
                                           kwargs=json.dumps({"key": key}), queue=CELERY_QUEUE)
        self.task_ids.append(task.id)
        created = task.date_changed

        runs = wait_for(lambda: len(runs := self.runs(key)) >= 3 and runs, 10, "3 runs on the Celery worker")
        self.assertEqual({run["periodic_task_name"] for run in runs}, {name})
        self.assertEqual(len({run["id"] for run in runs}), len(runs))
        for run in runs[:3]:
            self.assertEqual(app.AsyncResult(run["id"]).get(timeout=5), key)  # Celery's result backend
            self.assertEqual(wait_final(run["id"])["result"], key)  # and our API, which our beat told

        # Written back by our beat: last_run_at is a tick it sent.
        model = self.wait_for_run_count(task.id, 2, timeout=5)
        self.assertGreater(model.last_run_at, created)
        # Dedup keys hold a tick's Unix ms rounded up; a tick anchored at Django's microseconds
        # is within 1 ms of its key.
        sent_at = model.last_run_at.timestamp() * 1000
        ticks = self.ticks_sent(task.id)
        self.assertTrue(any(0 <= tick - sent_at < 1 for tick in ticks), f"{sent_at} is no tick of {sorted(ticks)}")
        self.assertSameNextRun(task.id)

        # Disabled in Django (save() bumps last_update): no send 2 s after it, and each send
        # ran once on the Celery worker.
        task.refresh_from_db()
        task.enabled = False
        task.save()
        time.sleep(2)
        sent = len(self.ticks_sent(task.id))
        time.sleep(2.5)
        self.assertEqual(len(self.ticks_sent(task.id)), sent, "sends after the task was disabled")
        settled = wait_for(lambda: len(runs := self.runs(key)) >= sent and runs, 5, f"{sent} runs")
        self.assertEqual(len(settled), sent)
        self.assertEqual(REDIS.llen(CELERY_QUEUE), 0)
        task.refresh_from_db()
        self.assertIsNone(task.last_run_at)  # Django's save cleared it; our write-back left it so
        self.assertLessEqual(task.total_run_count, sent)

        # Enabled again: both count from the save (date_changed); it runs again.
        task.enabled = True
        task.save()
        self.assertSameNextRun(task.id)
        wait_for(lambda: len(self.runs(key)) > len(settled), 5, "a run after the task was enabled again")


if __name__ == "__main__":
    unittest.main(verbosity=2)
