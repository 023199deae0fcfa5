"""`data.load` of `--rows` rows from a local paged HTTP server into PostgreSQL, against
`psql \\copy` of the same rows from a CSV file into an identical table, in the same run.

The server holds every page ready-made (JSON, pages of `--page` records) so that Python's
speed does not bound the load. Prints one JSON object.
"""
import argparse
import json
import os
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

p = argparse.ArgumentParser()
p.add_argument("--api", required=True)
p.add_argument("--pg-port", required=True)
p.add_argument("--queue", required=True)
p.add_argument("--port", type=int, required=True)
p.add_argument("--rows", type=int, default=1_000_000)
p.add_argument("--page", type=int, default=10_000)
p.add_argument("--database", default="celeriac")
p.add_argument("--csv", required=True, help="where to write the reference's CSV file")
args = p.parse_args()
TOKEN = os.environ["BENCH_TOKEN"]
PSQL = ["psql", "-X", "-q", "-h", "127.0.0.1", "-p", args.pg_port, "-U", "celeriac", "-d", args.database]


def record(n):
    return {"id": n, "name": f"station {n}", "elevation": round(n * 0.37 % 4000, 2), "active": n % 3 != 0,
            "updated": "2026-12-01T00:00:00Z"}


pages = {}
for page in range(1, args.rows // args.page + 2):
    first = (page - 1) * args.page
    items = [record(n) for n in range(first, min(first + args.page, args.rows))]
    pages[page] = json.dumps({"data": items}).encode()


class Source(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        page = int(parse_qs(urlparse(self.path).query).get("page", ["1"])[0])
        body = pages.get(page, b'{"data": []}')
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


def api(method, path, body=None):
    request = urllib.request.Request(args.api + path, data=None if body is None else json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def psql(sql):
    subprocess.run(PSQL + ["-c", sql], check=True, capture_output=True)


table = "(id integer PRIMARY KEY, name text, elevation numeric, active boolean, updated timestamptz)"
psql(f"DROP TABLE IF EXISTS bench_load, bench_copy; CREATE TABLE bench_load {table}; CREATE TABLE bench_copy {table}")
server = ThreadingHTTPServer(("127.0.0.1", args.port), Source)
threading.Thread(target=server.serve_forever, daemon=True).start()

started = time.monotonic()
task_id = api("POST", "/tasks", {"task": "data.load", "queue": args.queue, "kwargs": {"load": "bench_stations"}})["id"]
while True:
    task = api("GET", f"/tasks/{task_id}")
    if task["state"] in ("SUCCESS", "FAILURE", "REVOKED"):
        break
    time.sleep(0.05)
ours = time.monotonic() - started
assert task["state"] == "SUCCESS" and task["result"]["rows"] == args.rows, task
server.shutdown()

with open(args.csv, "w") as f:
    for n in range(args.rows):
        r = record(n)
        f.write(f'{r["id"]},{r["name"]},{r["elevation"]},{"true" if r["active"] else "false"},{r["updated"]}\n')
started = time.monotonic()
psql(f"\\copy bench_copy FROM '{args.csv}' CSV")
reference = time.monotonic() - started
os.remove(args.csv)
counts = subprocess.run(PSQL + ["-At", "-c", "SELECT (SELECT count(*) FROM bench_load), (SELECT count(*) FROM bench_copy)"],
                        check=True, capture_output=True, text=True).stdout.strip()
assert counts == f"{args.rows}|{args.rows}", counts
psql("DROP TABLE bench_load, bench_copy")
print(json.dumps({"rows": args.rows, "page_rows": args.page, "pages": task["result"]["pages"],
                  "ours_seconds": round(ours, 2), "ours_rows_per_s": round(args.rows / ours),
                  "copy_seconds": round(reference, 2), "copy_rows_per_s": round(args.rows / reference),
                  "ratio": round(ours / reference, 2)}))
