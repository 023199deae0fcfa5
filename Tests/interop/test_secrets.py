"""notify.slack through our API and worker against a local webhook sink, with the webhook URL
a secret (CELERIAC_SECRETS_FILE, written by run.sh): the message arrives, a refusal fails
without retry, and the secret's value appears in no log line, result or error."""
import json
import os
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from test_interop import OUR_QUEUE, http, wait_final

PORT = int(os.environ["CELERIAC_INTEROP_SINK_PORT"])
TOKEN = os.environ["CELERIAC_INTEROP_SECRET_TOKEN"]
LOGS = os.environ["CELERIAC_INTEROP_LOGS"]


class Sink(BaseHTTPRequestHandler):
    posted = []
    statuses = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Sink.posted.append((self.path, json.loads(body)))
        status = Sink.statuses.pop(0) if Sink.statuses else 200
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok" if status == 200 else b"no_such_hook")

    def log_message(self, *args):
        pass


class Secrets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", PORT), Sink)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def send(self, kwargs):
        status, created = http("POST", "/tasks", {"task": "notify.slack", "kwargs": kwargs, "queue": OUR_QUEUE})
        self.assertEqual(status, 201, created)
        return wait_final(created["id"])

    def test_a_message_reaches_the_hook_a_refusal_fails_and_the_secret_never_shows(self):
        task = self.send({"text": "backup done", "level": "good", "title": "nightly", "webhook": "INTEROP_SLACK",
                          "fields": {"size": "1 GB"}})
        self.assertEqual(task["state"], "SUCCESS", task)
        path, payload = Sink.posted[-1]
        self.assertEqual(path, f"/hook/{TOKEN}")
        attachment = payload["attachments"][0]
        self.assertEqual((attachment["color"], attachment["title"], attachment["text"]), ("good", "nightly", "backup done"))

        Sink.statuses.append(404)
        refused = self.send({"text": "again", "webhook": "INTEROP_SLACK"})
        self.assertEqual(refused["state"], "FAILURE", refused)
        self.assertEqual(refused["error"]["type"], "SlackError")
        self.assertEqual(refused.get("retries", 0), 0)

        missing = self.send({"text": "x", "webhook": "NOT_CONFIGURED"})
        self.assertEqual(missing["error"]["type"], "KeyError")
        self.assertIn("NOT_CONFIGURED", missing["error"]["message"])

        # A URL given where a secret's name belongs is refused at enqueue, so it never travels.
        status, problem = http("POST", "/tasks", {"task": "notify.slack", "queue": OUR_QUEUE,
                                                  "kwargs": {"text": "x", "webhook": f"http://127.0.0.1:{PORT}/hook/x"}})
        self.assertEqual(status, 422, problem)
        self.assertEqual(problem["errors"][0]["pointer"], "/kwargs/webhook")

        for task in (task, refused, missing):
            self.assertNotIn(TOKEN, json.dumps(task))
        for name in sorted(os.listdir(LOGS)):
            if name.endswith(".log"):
                with open(os.path.join(LOGS, name), errors="replace") as log:
                    for number, line in enumerate(log, 1):
                        self.assertNotIn(TOKEN, line, f"{name}:{number} shows the secret")
                        # Nor the API tokens of the run (run.sh's CLI and worker tokens).
                        for api_token in (os.environ["CELERIAC_TOKEN"], os.environ["CELERIAC_WORKER_TOKEN"]):
                            self.assertNotIn(api_token, line, f"{name}:{number} shows an API token")


if __name__ == "__main__":
    unittest.main(verbosity=2)
