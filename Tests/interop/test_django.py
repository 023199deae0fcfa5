"""Real Django + django-celery-beat on the database our API writes: both see and edit the
same schedules, and Django's migrate finds django-celery-beat's migrations applied."""
import json
import os
import time
import unittest
import urllib.error
import urllib.request

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_settings")
import django  # noqa: E402

django.setup()
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.test import Client  # noqa: E402
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks  # noqa: E402

API = os.environ["CELERIAC_INTEROP_API_URL"]


def http(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(API + path, data=data, method=method, headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["CELERIAC_TOKEN"]})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class DjangoSharesOurSchedules(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The API migrates in the background after it starts: wait for its schedule routes.
        deadline = time.monotonic() + 30
        while http("GET", "/periodic-tasks")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        # Our API migrated the database: Django has nothing to do for the two apps (it creates
        # only its own admin, auth and session tables).
        executor = MigrationExecutor(connection)
        targets = [key for key in executor.loader.graph.leaf_nodes() if key[0] in ("django_celery_beat", "django_celery_results")]
        cls.plan = executor.migration_plan(targets)
        call_command("migrate", verbosity=0)
        User.objects.filter(username="admin").delete()
        User.objects.create_superuser("admin", "admin@example.com", "secret")

    def test_django_migrate_finds_the_schedule_tables_applied(self):
        self.assertEqual(self.plan, [])

    def test_a_task_created_through_our_api_shows_in_the_django_admin(self):
        status, created = http("POST", "/periodic-tasks", {
            "name": "api-weekly-load", "task": "loads.weekly", "queue": "loads",
            "crontab": {"minute": "30", "hour": "1", "day_of_week": "3", "timezone": "Asia/Seoul"}})
        self.assertEqual(status, 201, created)
        task = PeriodicTask.objects.get(name="api-weekly-load")
        self.assertEqual((task.crontab.minute, task.crontab.hour, task.crontab.day_of_week, str(task.crontab.timezone)),
                         ("30", "1", "3", "Asia/Seoul"))
        self.assertEqual((task.task, task.queue, task.headers, task.args, task.enabled), ("loads.weekly", "loads", "{}", "[]", True))
        client = Client()
        client.force_login(User.objects.get(username="admin"))
        page = client.get("/admin/django_celery_beat/periodictask/")
        self.assertEqual(page.status_code, 200)
        self.assertIn("api-weekly-load", page.content.decode())
        change = client.get(f"/admin/django_celery_beat/periodictask/{task.id}/change/")
        self.assertEqual(change.status_code, 200)
        # An edit in Django is what our API answers next.
        task.enabled = False
        task.save()
        self.assertEqual(http("GET", f"/periodic-tasks/{task.id}")[1]["enabled"], False)

    def test_a_task_created_through_the_orm_appears_through_our_api(self):
        before = PeriodicTasks.last_change()
        schedule = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.SECONDS)
        task = PeriodicTask.objects.create(name="orm-every-10s", task="jobs.poll", interval=schedule,
                                           kwargs=json.dumps({"x": "y"}), expire_seconds=30, priority=3)
        status, seen = http("GET", f"/periodic-tasks/{task.id}")
        self.assertEqual(status, 200, seen)
        self.assertEqual((seen["name"], seen["task"], seen["kwargs"], seen["expire_seconds"], seen["priority"]),
                         ("orm-every-10s", "jobs.poll", {"x": "y"}, 30, 3))
        self.assertEqual((seen["interval"]["every"], seen["interval"]["period"], seen["schedule_description"]),
                         (10, "seconds", "every 10 seconds"))
        # An edit through our API: Django reads it, and DatabaseScheduler sees last_update move.
        status, _ = http("PATCH", f"/periodic-tasks/{task.id}", {"description": "edited by the API"})
        self.assertEqual(status, 200)
        task.refresh_from_db()
        self.assertEqual(task.description, "edited by the API")
        self.assertGreater(PeriodicTasks.last_change(), before)


if __name__ == "__main__":
    unittest.main(verbosity=2)
