"""A real Celery app for the interop tests: its worker runs `interop.add`, its client sends
tasks our worker runs. Broker and backend: the test Redis (CELERIAC_INTEROP_REDIS_URL)."""
import os

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
