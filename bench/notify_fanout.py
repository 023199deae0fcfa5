"""notify.email and notify.webpush fan-out to local peers in the same run.

Mail: a broadcast of `--mails` recipients from a recipient source (a PostgreSQL table) to a
local aiosmtpd, one task, enqueue → SUCCESS; the reference is Python's smtplib sending the
same number of same-size messages over one connection to the same server (what the server
itself allows). Web push: `--pushes` subscriptions in tasks of 1,000 (the most one task
takes) to a local push endpoint that answers 201, enqueue of the first → SUCCESS of the last.
Prints one JSON object.
"""
import argparse
import json
import os
import smtplib
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

p = argparse.ArgumentParser()
p.add_argument("--api", required=True)
p.add_argument("--pg-port", required=True)
p.add_argument("--queue", required=True)
p.add_argument("--smtp-port", type=int, required=True)
p.add_argument("--push-port", type=int, required=True)
p.add_argument("--mails", type=int, default=10_000)
p.add_argument("--pushes", type=int, default=10_000)
p.add_argument("--database", default="celeriac")
args = p.parse_args()
TOKEN = os.environ["BENCH_TOKEN"]


def api(method, path, body=None):
    request = urllib.request.Request(args.api + path, data=None if body is None else json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def wait_success(task_id, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = api("GET", f"/tasks/{task_id}")
        if task["state"] in ("SUCCESS", "FAILURE", "REVOKED"):
            assert task["state"] == "SUCCESS", task
            return task
        time.sleep(0.02)
    raise SystemExit(f"task {task_id} not done in {timeout} s")


class Counting:
    def __init__(self):
        self.count = 0
        self.bytes = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        self.bytes += len(envelope.content)
        return "250 OK"


class PushEndpoint(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as push services
    count = 0
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with PushEndpoint.lock:
            PushEndpoint.count += 1
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_):
        pass


def psql(sql):
    subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", args.pg_port, "-U", "celeriac", "-d", args.database, "-c", sql],
                   check=True, capture_output=True)


sink = Counting()
controller = Controller(sink, hostname="127.0.0.1", port=args.smtp_port)
controller.start()
push = ThreadingHTTPServer(("127.0.0.1", args.push_port), PushEndpoint)
threading.Thread(target=push.serve_forever, daemon=True).start()

# Mail: one broadcast task over the whole table.
psql("DROP TABLE IF EXISTS bench_subscriber; CREATE TABLE bench_subscriber (email text PRIMARY KEY, name text);"
     f"INSERT INTO bench_subscriber SELECT 'user' || n || '@example.com', 'User ' || n FROM generate_series(1, {args.mails}) n")
started = time.monotonic()
created = api("POST", "/tasks", {"task": "notify.email", "queue": args.queue, "kwargs": {
    "to": {"source": "bench_subscribers"}, "subject": "News for {{recipient.name}}", "batch_size": 1000,
    "html": "<p>Hello {{recipient.name}},</p><p>Here is what is new this week.</p><p><a href=\"https://example.com/n\">Read</a></p>"}})
task = wait_success(created["id"])
mail_seconds = time.monotonic() - started
assert sink.count == args.mails and task["result"]["sent"] == args.mails, (sink.count, task["result"])
mean_bytes = sink.bytes // max(1, sink.count)

# The reference: smtplib, one connection, the same number of messages of the same size.
body = b"Subject: News\r\nFrom: bench@example.com\r\nTo: x@example.com\r\n\r\n" + b"x" * max(0, mean_bytes - 60)
sink.count = 0
started = time.monotonic()
with smtplib.SMTP("127.0.0.1", args.smtp_port) as client:
    for n in range(args.mails):
        client.sendmail("bench@example.com", [f"user{n}@example.com"], body)
reference_seconds = time.monotonic() - started
assert sink.count == args.mails
controller.stop()

# Web push: tasks of 1,000 subscriptions, all enqueued at once.
keys = {"p256dh": os.environ["BENCH_PUSH_P256DH"], "auth": os.environ["BENCH_PUSH_AUTH"]}
tasks = []
started = time.monotonic()
for first in range(0, args.pushes, 1000):
    subscriptions = [{"endpoint": f"http://127.0.0.1:{args.push_port}/push/{n}", "keys": keys}
                     for n in range(first, min(first + 1000, args.pushes))]
    tasks.append(api("POST", "/tasks", {"task": "notify.webpush", "queue": args.queue, "kwargs": {
        "payload": json.dumps({"title": "Good morning", "body": "Your daily summary is ready."}), "subscriptions": subscriptions}})["id"])
for task_id in tasks:
    result = wait_success(task_id)["result"]
    assert result["failed"] == [] and result["gone"] == [], result
push_seconds = time.monotonic() - started
assert PushEndpoint.count == args.pushes, PushEndpoint.count
push.shutdown()

print(json.dumps({
    "mails": args.mails, "mail_seconds": round(mail_seconds, 2), "mails_per_s": round(args.mails / mail_seconds),
    "mail_bytes": mean_bytes, "reference_smtplib_seconds": round(reference_seconds, 2),
    "reference_smtplib_per_s": round(args.mails / reference_seconds),
    "pushes": args.pushes, "push_tasks": len(tasks), "push_seconds": round(push_seconds, 2),
    "pushes_per_s": round(args.pushes / push_seconds),
}))
