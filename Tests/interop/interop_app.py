"""A real Celery app for the interop tests: its worker runs `interop.add` and
`interop.beat_record`, its client sends tasks our worker runs. Broker and backend: the test
Redis (CELERIAC_INTEROP_REDIS_URL)."""
import json
import os
import time

from celery import Celery

URL = os.environ["CELERIAC_INTEROP_REDIS_URL"]

app = Celery("interop", broker=URL, backend=URL)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_track_started=True,
    broker_connection_retry_on_startup=True,
)


@app.task(name="interop.add")
def add(x, y):
    return x + y


@app.task(name="interop.beat_record", bind=True)
def beat_record(self, key):
    """Notes this run at the end of the Redis list `key` (the beat tests send it from our beat):
    its id, when it ran, and the `periodic_task_name` header beat sent it with."""
    run = {"id": self.request.id, "at": time.time(), "periodic_task_name": getattr(self.request, "periodic_task_name", None)}
    self.backend.client.rpush(key, json.dumps(run))
    return key
