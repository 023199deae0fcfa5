"""The Celery side of the benchmarks: a no-op task and its app, on the bench Redis."""
import os

from celery import Celery

URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6401/0")
app = Celery("bench", broker=URL, backend=URL)
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                broker_connection_retry_on_startup=True, worker_prefetch_multiplier=4)


@app.task(name="bench.noop")
def noop(*args, **kwargs):
    return None
