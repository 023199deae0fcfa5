"""A celeriac-worker of a test's own (its queue, its configuration), for tests that kill one."""
import os
import subprocess

BIN = os.environ["CELERIAC_INTEROP_BIN"]
LOGS = os.environ["CELERIAC_INTEROP_LOGS"]


def start(name, queue, **env):
    """Starts `celeriac-worker` as `name` on `queue` with the run's Redis and API and the
    given CELERIAC_* settings; its output goes to <logs>/worker-<name>.log."""
    environment = dict(os.environ, CELERIAC_QUEUES=queue, CELERIAC_WORKER_NAME=name, CELERIAC_LEASE_SECONDS="5",
                       CELERIAC_REDIS_URL=os.environ["CELERIAC_INTEROP_REDIS_URL"],
                       CELERIAC_API_URL=os.environ["CELERIAC_INTEROP_API_URL"], **env)
    with open(os.path.join(LOGS, f"worker-{name.split('@')[0]}.log"), "ab") as log:
        return subprocess.Popen([os.path.join(BIN, "celeriac-worker")], env=environment, stderr=log, stdout=log)


def stop(victim, successor):
    """After a take-over test: the killed worker surely gone, its successor stopped."""
    victim.kill()
    if successor:
        successor.terminate()
        successor.wait(10)
