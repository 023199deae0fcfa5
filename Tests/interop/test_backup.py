"""`backup.postgres` sent by a real Celery client and run by celeriac-worker: `AsyncResult.get()`
returns the result dict, the file is a gzip of pg_dump's SQL whose SHA-256 is the one reported
and written beside it, and kwargs our schema refuses come back as a TypeError naming the field.

Run by Tests/interop/run.sh, which gives our worker CELERIAC_BACKUP_DIR and the secret
INTEROP_DB (the interop database's URL)."""
import gzip
import hashlib
import os
import unittest

from celery.exceptions import TimeoutError as CeleryTimeout

from interop_app import app

OUR_QUEUE = os.environ["CELERIAC_INTEROP_OUR_QUEUE"]
BACKUP_DIR = os.environ["CELERIAC_INTEROP_BACKUP_DIR"]


class BackupFromACeleryClient(unittest.TestCase):
    def test_send_task_backs_up_and_get_returns_the_result(self):
        result = app.send_task("backup.postgres", queue=OUR_QUEUE,
                               kwargs={"database": "INTEROP_DB", "directory": "interop", "keep": 2, "verify": True})
        try:
            value = result.get(timeout=120)
        except CeleryTimeout:
            self.fail("backup.postgres did not finish in 120 s")
        self.assertEqual(result.state, "SUCCESS")
        path = value["path"]
        self.assertTrue(path.startswith(os.path.realpath(BACKUP_DIR) + "/interop/"), path)
        with open(path, "rb") as f:
            data = f.read()
        self.assertEqual(value["bytes"], len(data))
        self.assertEqual(value["sha256"], hashlib.sha256(data).hexdigest())
        with open(path + ".sha256") as f:
            self.assertEqual(f.read(), f"{value['sha256']}  {os.path.basename(path)}\n")
        sql = gzip.decompress(data).decode()
        self.assertIn("PostgreSQL database dump complete", sql)
        # Row counts come from the dump itself: they match what the SQL holds.
        table = "public.django_celery_beat_periodictask"
        self.assertIn(table, value["tables"])
        block = sql.split(f"COPY {table} (", 1)[1].split("FROM stdin;\n", 1)[1].split("\n\\.\n", 1)[0]
        self.assertEqual(value["tables"][table], 0 if block == "" else block.count("\n") + 1)
        self.assertTrue(value["verified"])
        self.assertGreater(value["duration_s"], 0)

    def test_kwargs_the_schema_refuses_fail_naming_the_field(self):
        result = app.send_task("backup.postgres", queue=OUR_QUEUE, kwargs={"directory": "../outside", "keep": 0})
        with self.assertRaises(TypeError) as caught:
            result.get(timeout=30)
        message = str(caught.exception)
        self.assertIn("/kwargs/directory", message)
        self.assertIn("/kwargs/keep", message)
        self.assertEqual(result.state, "FAILURE")


if __name__ == "__main__":
    unittest.main()
