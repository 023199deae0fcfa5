"""Celeriac against real Celery 5.7 (see requirements.txt), both directions.

Run by Tests/interop/run.sh, which starts our API and worker (queue OUR_QUEUE) and a Celery
worker (queue CELERY_QUEUE) on the test Redis.
"""
import json
import os
import time
import unittest
import urllib.error
import urllib.request

from interop_app import app

API = os.environ["CELERIAC_INTEROP_API_URL"]
OUR_QUEUE = os.environ["CELERIAC_INTEROP_OUR_QUEUE"]
CELERY_QUEUE = os.environ["CELERIAC_INTEROP_CELERY_QUEUE"]


def http(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(API + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["CELERIAC_TOKEN"]})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_final(task_id, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        status, task = http("GET", f"/tasks/{task_id}")
        if status == 200 and task["state"] in ("SUCCESS", "FAILURE", "REVOKED"):
            return task
        if time.monotonic() > deadline:
            raise AssertionError(f"task {task_id} not final after {timeout}s: {status} {task}")
        time.sleep(0.05)


class CeleryClientToCeleriacWorker(unittest.TestCase):
    """(a) A real Celery client's send_task is executed by celeriac-worker."""

    def test_echo_result_via_async_result(self):
        result = app.send_task("celeriac.echo", args=["hi"], queue=OUR_QUEUE)
        self.assertEqual(result.get(timeout=10), "hi")
        self.assertEqual(result.state, "SUCCESS")
        # The API recorded it too, from the worker's reports.
        task = wait_final(result.id)
        self.assertEqual(task["result"], "hi")
        self.assertEqual(task["task"], "celeriac.echo")

    def test_kwargs_and_structured_values(self):
        value = {"nested": [1, 2.5, None, True, "ünïcode"]}
        result = app.send_task("celeriac.echo", kwargs={"value": value}, queue=OUR_QUEUE)
        self.assertEqual(result.get(timeout=10), value)

    def test_failure_raises_in_the_client(self):
        result = app.send_task("celeriac.fail", args=["boom"], queue=OUR_QUEUE)
        with self.assertRaises(Exception) as caught:
            result.get(timeout=10)
        self.assertEqual(type(caught.exception).__name__, "RuntimeError")
        self.assertIn("boom", str(caught.exception))
        self.assertEqual(result.state, "FAILURE")

    def test_countdown_from_a_celery_client_is_honoured(self):
        sent = time.monotonic()
        result = app.send_task("celeriac.echo", args=["later"], queue=OUR_QUEUE, countdown=1.5)
        self.assertEqual(result.get(timeout=15), "later")
        self.assertGreaterEqual(time.monotonic() - sent, 1.5)

    def test_an_expired_task_from_a_celery_client_is_revoked(self):
        result = app.send_task("celeriac.echo", args=["never"], queue=OUR_QUEUE, countdown=1, expires=0.5)
        task = wait_final(result.id)
        self.assertEqual(task["state"], "REVOKED", task)
        self.assertEqual(result.state, "REVOKED")

    def test_a_task_asking_for_retries_retries_until_max_retries(self):
        result = app.send_task("celeriac.fail", args=["again"], kwargs={"retry_in": 0.05}, queue=OUR_QUEUE)
        with self.assertRaises(Exception) as caught:
            result.get(timeout=15)
        self.assertEqual(type(caught.exception).__name__, "MaxRetriesExceededError")
        self.assertEqual(wait_final(result.id)["retries"], 3)  # Celery's default max_retries

    def test_a_retry_policy_header_from_a_celery_client_is_honoured(self):
        sent = time.monotonic()
        result = app.send_task("celeriac.fail", args=["flaky"], queue=OUR_QUEUE,
                               headers={"celeriac_retry": {"max_retries": 2, "backoff": 0.2, "jitter": False}})
        with self.assertRaises(Exception) as caught:
            result.get(timeout=15)
        self.assertEqual(type(caught.exception).__name__, "RuntimeError")
        self.assertGreaterEqual(time.monotonic() - sent, 0.6)  # 0.2 s, then 0.4 s
        self.assertEqual(wait_final(result.id)["retries"], 2)

    def test_async_result_revoke_terminates_a_running_task(self):
        result = app.send_task("celeriac.sleep", args=[30], queue=OUR_QUEUE)
        deadline = time.monotonic() + 10
        while result.state != "STARTED" and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(result.state, "STARTED")
        revoked_at = time.monotonic()
        result.revoke(terminate=True)
        task = wait_final(result.id)
        self.assertEqual(task["state"], "REVOKED", task)
        self.assertEqual(task["error"]["message"], "terminated")
        self.assertLess(time.monotonic() - revoked_at, 2)
        self.assertEqual(result.state, "REVOKED")

    def test_async_result_revoke_of_a_waiting_task(self):
        result = app.send_task("celeriac.echo", args=["never"], queue=OUR_QUEUE, countdown=1)
        result.revoke()
        task = wait_final(result.id)
        self.assertEqual(task["state"], "REVOKED", task)
        self.assertIsNone(task["started_at"])

    def test_unknown_task_is_not_registered(self):
        result = app.send_task("no.such.task", queue=OUR_QUEUE)
        with self.assertRaises(Exception) as caught:
            result.get(timeout=10)
        self.assertEqual(type(caught.exception).__name__, "NotRegistered")


class CeleriacAPIToCeleryWorker(unittest.TestCase):
    """(b) POST /tasks for a task only a real Celery worker knows; GET /tasks/{id} shows its result."""

    def test_add_runs_in_celery(self):
        status, created = http("POST", "/tasks", {"task": "interop.add", "args": [2, 3], "queue": CELERY_QUEUE})
        self.assertEqual(status, 201, created)
        task = wait_final(created["id"])
        self.assertEqual(task["state"], "SUCCESS", task)
        self.assertEqual(task["result"], 5)
        # And Celery's own client agrees.
        self.assertEqual(app.AsyncResult(created["id"]).get(timeout=5), 5)

    def test_a_batch_runs_in_celery(self):
        # POST /tasks/batch: one transaction of plain LPUSHes the Celery worker consumes like any.
        status, body = http("POST", "/tasks/batch", {"tasks": [
            {"task": "interop.add", "args": [n, 100], "queue": CELERY_QUEUE} for n in range(20)]})
        self.assertEqual(status, 201, body)
        ids = [item["id"] for item in body["tasks"]]
        self.assertEqual(len(ids), 20)
        self.assertEqual([app.AsyncResult(task_id).get(timeout=15) for task_id in ids], [n + 100 for n in range(20)])
        self.assertEqual(wait_final(ids[-1])["result"], 119)

    def test_countdown_runs_in_celery_at_the_right_time(self):
        sent = time.monotonic()
        status, created = http("POST", "/tasks", {"task": "interop.add", "args": [2, 3], "queue": CELERY_QUEUE,
                                                  "countdown": 2, "time_limit": 30, "headers": {"tenant": "acme"}})
        self.assertEqual(status, 201, created)
        self.assertEqual(app.AsyncResult(created["id"]).get(timeout=15), 5)
        self.assertGreaterEqual(time.monotonic() - sent, 2)

    def test_our_revoke_reaches_a_celery_worker(self):
        # Due in 1.5 s: waits in our celeriac:scheduled, then goes to the Celery worker, which
        # got our revoke broadcast and must not run it.
        status, created = http("POST", "/tasks", {"task": "interop.add", "args": [2, 3], "queue": CELERY_QUEUE,
                                                  "countdown": 1.5})
        self.assertEqual(status, 201, created)
        status, revoked = http("POST", f"/tasks/{created['id']}/revoke", {})
        self.assertEqual(status, 202, revoked)
        self.assertEqual(revoked["state"], "REVOKED")
        time.sleep(3)
        self.assertEqual(app.AsyncResult(created["id"]).state, "REVOKED")
        self.assertEqual(wait_final(created["id"])["state"], "REVOKED")

    def test_kwargs_reach_celery(self):
        status, created = http("POST", "/tasks", {"task": "interop.add", "kwargs": {"x": "a", "y": "b"},
                                                  "queue": CELERY_QUEUE})
        self.assertEqual(status, 201, created)
        self.assertEqual(wait_final(created["id"])["result"], "ab")


class RegisteredTasks(unittest.TestCase):
    """`GET /registered-tasks`: our worker's jobs with their schemas, and the names the real
    Celery worker answers to Celery's `registered` inquiry."""

    def test_names_of_our_worker_and_of_the_celery_worker(self):
        status, listed = http("GET", "/registered-tasks")
        self.assertEqual(status, 200, listed)
        by_name = {item["name"]: item for item in listed["items"]}
        self.assertEqual(by_name["celeriac.sleep"]["source"], "worker")
        self.assertEqual(by_name["celeriac.sleep"]["schema"]["fields"][0]["name"], "seconds")
        # Asked of the live Celery worker over the pidbox, answered on our reply list.
        self.assertEqual(by_name["interop.add"]["source"], "celery", listed)
        self.assertEqual(by_name["interop.beat_record"]["source"], "celery")
        self.assertTrue(listed["enforced"])
        self.assertEqual(listed["allowed_prefixes"], ["interop.*"])

    def test_unknown_names_and_bad_arguments_are_refused_at_enqueue(self):
        status, problem = http("POST", "/tasks", {"task": "celeriac.slep", "args": [1], "queue": OUR_QUEUE})
        self.assertEqual(status, 422, problem)
        self.assertIn("did you mean 'celeriac.sleep'?", problem["errors"][0]["detail"])
        status, problem = http("POST", "/tasks", {"task": "celeriac.sleep", "args": ["x"], "queue": OUR_QUEUE})
        self.assertEqual(status, 422, problem)
        self.assertEqual(problem["errors"][0]["pointer"], "/args/0")

    def test_a_celery_clients_bad_arguments_fail_with_type_error_on_our_worker(self):
        result = app.send_task("celeriac.sleep", args=["x"], queue=OUR_QUEUE)
        with self.assertRaises(Exception) as raised:
            result.get(timeout=10)
        self.assertEqual(type(raised.exception).__name__, "TypeError")
        self.assertIn("/args/0", str(raised.exception))


if __name__ == "__main__":
    unittest.main(verbosity=2)
