"""Command tasks (CELERIAC_COMMANDS): a Python program run by our worker as a task, enqueued
through our API and by a Celery client. Result from its last JSON line, FAILURE with its
stderr as the traceback, killed at the time limit and on revoke, and arguments that would
mean something to a shell reaching it verbatim."""
import os
import tempfile
import time
import unittest

from interop_app import app
from test_interop import OUR_QUEUE, http, wait_final

TASK = "interop.cmd.report"


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def wait_pid(path, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                text = f.read().strip()
            if text:
                return int(text)
        time.sleep(0.05)
    raise AssertionError("the command never started")


class Commands(unittest.TestCase):
    def enqueue(self, kwargs, args=None, **options):
        status, created = http("POST", "/tasks", {"task": TASK, "queue": OUR_QUEUE, "args": args or [], "kwargs": kwargs, **options})
        self.assertEqual(status, 201, created)
        return created["id"]

    def test_the_last_json_line_is_the_result_and_arguments_arrive_verbatim(self):
        hostile = "$(touch /tmp/celeriac-pwned); `id` && rm -rf / ; echo 'x' \"y\" | cat > /dev/null\n\\0 ✓"
        task = wait_final(self.enqueue({"mode": "echo", "note": hostile, "list": [1, "two; ls"]}))
        self.assertEqual(task["state"], "SUCCESS", task)
        result = task["result"]
        self.assertEqual(result["kwargs"]["note"], hostile)
        self.assertEqual((result["args"], result["kwargs"]["list"]), ([], [1, "two; ls"]))
        self.assertEqual(result["task_id"], task["id"])
        self.assertEqual(result["cwd"], os.path.realpath(os.environ["CELERIAC_INTEROP_COMMAND_CWD"]))
        # The configured environment only: nothing of the worker's, its token least of all.
        self.assertEqual(result["env"], {"GREETING": "hallo", "HOME": None, "CELERIAC_WORKER_TOKEN": None})
        self.assertFalse(os.path.exists("/tmp/celeriac-pwned"))

    def test_a_non_zero_exit_fails_with_stderr_as_the_traceback(self):
        task = wait_final(self.enqueue({"mode": "fail"}))
        self.assertEqual((task["state"], task["error"]["type"]), ("FAILURE", "CommandError"), task)
        self.assertIn("exited with status 3", task["error"]["message"])
        self.assertIn("ValueError: week 53 has no data", task["error"]["message"])
        self.assertIn('File "report.py", line 12', task["error"]["traceback"])

    def test_the_hard_time_limit_kills_the_program(self):
        pidfile = tempfile.mktemp(prefix="celeriac-cmd-")
        task_id = self.enqueue({"mode": "sleep", "pidfile": pidfile}, time_limit=2)
        pid = wait_pid(pidfile)
        task = wait_final(task_id, timeout=20)
        self.assertEqual((task["state"], task["error"]["type"]), ("FAILURE", "TimeLimitExceeded"), task)
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(alive(pid))

    def test_a_revoke_kills_the_program(self):
        pidfile = tempfile.mktemp(prefix="celeriac-cmd-")
        task_id = self.enqueue({"mode": "sleep", "pidfile": pidfile})
        pid = wait_pid(pidfile)
        status, body = http("POST", f"/tasks/{task_id}/revoke", {"terminate": True})
        self.assertIn(status, (200, 202), body)
        task = wait_final(task_id, timeout=20)
        self.assertEqual(task["state"], "REVOKED", task)
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(alive(pid))

    def test_a_celery_client_runs_it_and_the_schema_is_listed(self):
        result = app.send_task(TASK, kwargs={"mode": "echo"}, queue=OUR_QUEUE)
        self.assertEqual(result.get(timeout=15)["kwargs"], {"mode": "echo"})
        status, registered = http("GET", "/registered-tasks")
        self.assertEqual(status, 200, registered)
        [entry] = [t for t in registered["items"] if t["name"] == TASK]
        self.assertEqual(entry["summary"], "Builds a report (interop)")
        self.assertEqual([f["name"] for f in entry["schema"]["fields"]], ["mode"])
        status, problem = http("POST", "/tasks", {"task": TASK, "queue": OUR_QUEUE, "kwargs": {"mode": "explode"}})
        self.assertEqual(status, 422, problem)


if __name__ == "__main__":
    unittest.main(verbosity=2)
