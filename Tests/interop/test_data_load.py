"""data.load through our API and a worker of its own, from a local paged HTTP server into
PostgreSQL: 10,000 records in pages of 100 (then updates of the first 500), the worker killed
with SIGKILL mid-way and the load finished by another; a CSV source; a malformed page."""
import json
import os
import signal
import tempfile
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import psycopg2

import own_worker
from test_interop import http, wait_final

PORT = int(os.environ.get("CELERIAC_INTEROP_LOAD_PORT", "18094"))
DATABASE_URL = f"postgresql://celeriac@127.0.0.1:{os.environ['CELERIAC_INTEROP_PG_PORT']}/{os.environ['CELERIAC_INTEROP_DATABASE']}"
QUEUE = "interop_load"
RECORDS, PER_PAGE, UPDATED = 10_000, 100, 500


def page_of_records(page):
    """Pages 1-100: records 0-9,999 (version 1); 101-105: records 0-499 again (version 2); then empty."""
    if page <= RECORDS // PER_PAGE:
        ids, version = range((page - 1) * PER_PAGE, page * PER_PAGE), 1
    elif page <= (RECORDS + UPDATED) // PER_PAGE:
        first = (page - 1) * PER_PAGE - RECORDS
        ids, version = range(first, first + PER_PAGE), 2
    else:
        ids, version = [], 0
    return [{"id": n, "attributes": {"name": f"record {n}", "version": version}} for n in ids]


class Source(BaseHTTPRequestHandler):
    delay = 0.0
    served = []

    def do_GET(self):
        url = urlparse(self.path)
        page = int(parse_qs(url.query).get("page", ["1"])[0])
        Source.served.append((url.path, page))
        if Source.delay:
            time.sleep(Source.delay)
        if url.path == "/records":
            body, kind = json.dumps({"data": page_of_records(page), "page": page}).encode(), "application/json"
        elif url.path == "/csv":
            rows = [] if page > 2 else [f'{n},"Name, {n}","said ""{n}""\nok"' for n in range((page - 1) * 3, page * 3)]
            body, kind = ("id,name,note\r\n" + "\r\n".join(rows) + "\r\n").encode(), "text/csv"
        elif url.path == "/bad":
            body, kind = (b"{not json" if page == 3 else json.dumps({"data": page_of_records(page)}).encode()), "application/json"
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def load_entry(path, table, columns, **source):
    return {"database": "LOAD_DB", "table": table, "key": ["id"], "batch_rows": 50, "columns": columns,
            "source": {"url": f"http://127.0.0.1:{PORT}{path}", "pagination": {"type": "page", "param": "page", "start": 1},
                       **source}}


class DataLoad(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", PORT), Source)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.db = psycopg2.connect(DATABASE_URL)
        cls.db.autocommit = True
        with cls.db.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS load_record, load_csv")
            cursor.execute("CREATE TABLE load_record (id integer PRIMARY KEY, name text, version integer)")
            cursor.execute("CREATE TABLE load_csv (id integer PRIMARY KEY, name text, note text)")
        folder = tempfile.mkdtemp(prefix="celeriac-load-")
        cls.loads = os.path.join(folder, "loads.json")
        record_columns = {"id": {"from": "/id", "type": "integer"}, "name": {"from": "/attributes/name"},
                          "version": {"from": "/attributes/version", "type": "integer"}}
        with open(cls.loads, "w") as f:
            json.dump({"records": load_entry("/records", "public.load_record", record_columns, records="/data"),
                       "records_bad": load_entry("/bad", "load_record", record_columns, records="/data"),
                       "records_csv": load_entry("/csv", "load_csv", {"id": {"type": "integer"}, "name": {}, "note": {}},
                                                 format="csv")}, f)
        cls.secrets = os.path.join(folder, "secrets.json")
        with open(cls.secrets, "w") as f:
            json.dump({"LOAD_DB": DATABASE_URL}, f)
        cls.shared = cls.worker("load@celeriac")

    @classmethod
    def tearDownClass(cls):
        cls.shared.terminate()
        cls.shared.wait(10)
        cls.server.shutdown()
        cls.db.close()

    @classmethod
    def worker(cls, name, queue=QUEUE):
        return own_worker.start(name, queue, CELERIAC_DATA_LOADS=cls.loads, CELERIAC_SECRETS_FILE=cls.secrets)

    def enqueue(self, load, queue=QUEUE):
        status, created = http("POST", "/tasks", {"task": "data.load", "queue": queue, "kwargs": {"load": load}})
        self.assertEqual(status, 201, created)
        return created["id"]

    def rows(self, sql):
        with self.db.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def test_a_load_killed_mid_way_resumes_and_holds_each_record_once_with_its_latest_values(self):
        # Workers of their own queue: the victim takes the task, its successor finds it when
        # the victim's lease (5 s) runs out.
        queue = "interop_load_kill"
        Source.delay, Source.served = 0.03, []
        victim = self.worker("load-victim@celeriac", queue)
        successor = None
        try:
            task_id = self.enqueue("records", queue)
            deadline = time.monotonic() + 30
            while self.rows("SELECT count(*) FROM load_record")[0][0] < 3000 and time.monotonic() < deadline:
                time.sleep(0.02)
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            loaded_at_kill = self.rows("SELECT count(*) FROM load_record")[0][0]
            self.assertGreaterEqual(loaded_at_kill, 3000)
            self.assertLess(loaded_at_kill, RECORDS)
            Source.delay = 0
            successor = self.worker("load-successor@celeriac", queue)
            task = wait_final(task_id, timeout=90)
        finally:
            own_worker.stop(victim, successor)
        self.assertEqual(task["state"], "SUCCESS", task)
        result = task["result"]
        self.assertEqual(self.rows("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM load_record")[0], (RECORDS, RECORDS, 0, RECORDS - 1))
        self.assertEqual(self.rows("SELECT version, count(*) FROM load_record GROUP BY version ORDER BY version"), [(1, RECORDS - UPDATED), (2, UPDATED)])
        self.assertEqual((result["pages"], result["inserted"]), ((RECORDS + UPDATED) // PER_PAGE + 1, RECORDS))
        self.assertGreaterEqual(result["updated"], UPDATED)
        # Resumed, not restarted: only the page in flight at the kill may have been fetched twice.
        pages = [page for path, page in Source.served if path == "/records"]
        self.assertLessEqual(len(pages) - len(set(pages)), 1)

    def test_a_csv_source(self):
        task = wait_final(self.enqueue("records_csv"), timeout=30)
        self.assertEqual(task["state"], "SUCCESS", task)
        self.assertEqual(task["result"]["rows"], 6)
        self.assertEqual(self.rows("SELECT id, name, note FROM load_csv WHERE id = 4"), [(4, "Name, 4", 'said "4"\nok')])

    def test_a_malformed_page_fails_the_task_naming_it(self):
        task = wait_final(self.enqueue("records_bad"), timeout=30)
        self.assertEqual((task["state"], task["error"]["type"]), ("FAILURE", "ValueError"), task)
        self.assertIn("page 3", task["error"]["message"])
        self.assertIn("not JSON", task["error"]["message"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
