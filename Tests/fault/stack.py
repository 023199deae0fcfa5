"""Real processes for the fault tests: a Redis of their own (so it can be restarted), the
test PostgreSQL, celeriac-api, celeriac-workers and celeriac-beats from the debug build."""
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import redis

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ["CELERIAC_BIN"]
LOGS = os.path.join(ROOT, ".celeriac", "test", "fault")
FINAL = ("SUCCESS", "FAILURE", "REVOKED")
# The bearer token `http` sends: the current stack's admin token (scopes submit, read, admin).
TOKEN = {"value": ""}


class Stack:
    def __init__(self, name, redis_port, api_port, pg_port, database_url=None):
        self.name = name
        self.redis_port = redis_port
        self.api_port = api_port
        self.api_url = f"http://127.0.0.1:{api_port}"
        self.redis_url = f"redis://127.0.0.1:{redis_port}/0"
        self.db = f"celeriac_fault_{name}"
        self.database_url = database_url or f"postgresql://celeriac@127.0.0.1:{pg_port}/{self.db}"
        self.pg_port = pg_port
        self.redis_dir = tempfile.mkdtemp(prefix=f"celeriac-fault-{name}-")
        self.redis_proc = None
        self.api = None
        self.workers = {}
        self.beats = {}
        os.makedirs(LOGS, exist_ok=True)
        self.psql(f"DROP DATABASE IF EXISTS {self.db}", db="postgres")
        self.psql(f"CREATE DATABASE {self.db}", db="postgres")
        # Tokens first (the CLI migrates the schema): the API loads them when it starts.
        self.admin_token = self.make_token("fault-admin", "submit,read,admin")
        self.worker_token = self.make_token("fault-worker", "worker")
        TOKEN["value"] = self.admin_token
        self.start_redis()
        self.r = redis.Redis(port=redis_port, socket_timeout=5)

    def make_token(self, name, scopes):
        return subprocess.run([os.path.join(BIN, "celeriac"), "token", "create", "--database", self.database_url,
                               "--name", name, "--scopes", scopes], check=True, capture_output=True, text=True).stdout.strip()

    # -- processes -------------------------------------------------------------------------

    def start_redis(self):
        self.redis_proc = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", self.redis_dir,
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=open(os.path.join(LOGS, f"{self.name}-redis.log"), "a"), stderr=subprocess.STDOUT)
        wait_until(lambda: _redis_ping(self.redis_port), 10, "redis up")

    def restart_redis(self, while_down=None):
        """SHUTDOWN (persists the append-only file), run `while_down`, start again from it."""
        try:
            redis.Redis(port=self.redis_port).shutdown(save=False)
        except redis.exceptions.ConnectionError:
            pass
        self.redis_proc.wait(10)
        if while_down:
            while_down()
        self.start_redis()

    def env(self, **extra):
        env = dict(os.environ, CELERIAC_REDIS_URL=self.redis_url, CELERIAC_DATABASE_URL=self.database_url,
                   CELERIAC_PORT=str(self.api_port), CELERIAC_API_URL=self.api_url, CELERIAC_LOG_LEVEL="info",
                   CELERIAC_WORKER_TOKEN=self.worker_token, CELERIAC_TOKEN=self.admin_token)
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def start_api(self):
        log = open(os.path.join(LOGS, f"{self.name}-api.log"), "a")
        self.api = subprocess.Popen([os.path.join(BIN, "celeriac-api")], env=self.env(), stdout=log, stderr=log)
        wait_until(self.ready, 30, "api ready")

    def ready(self):
        try:
            return http("GET", self.api_url + "/ready")[0] == 200
        except OSError:
            return False

    def start_worker(self, name, concurrency=4, **env):
        log = open(os.path.join(LOGS, f"{self.name}-{name}.log"), "a")
        self.workers[name] = subprocess.Popen(
            [os.path.join(BIN, "celeriac-worker"), "-n", name, "-c", str(concurrency), "-Q", "celery"],
            env=self.env(**env), stdout=log, stderr=log)
        return self.workers[name]

    def start_beat(self, name, **env):
        log = open(os.path.join(LOGS, f"{self.name}-{name}.log"), "a")
        self.beats[name] = subprocess.Popen(
            [os.path.join(BIN, "celeriac-beat"), "-n", name], env=self.env(**env), stdout=log, stderr=log)
        return self.beats[name]

    def beat_leader(self):
        """The name of the beat holding the leader lease (value `<fence>:<name>:<random>`), or None."""
        value = self.r.get("celeriac:beat:leader")
        return value.decode().split(":")[1] if value else None

    def stop(self):
        for proc in list(self.workers.values()) + list(self.beats.values()) + [self.api]:
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
        if self.redis_proc and self.redis_proc.poll() is None:
            self.redis_proc.kill()
            self.redis_proc.wait()
        shutil.rmtree(self.redis_dir, ignore_errors=True)

    # -- data ------------------------------------------------------------------------------

    def psql(self, sql, db=None):
        # SQL on stdin: an IN list of thousands of ids is too long for argv.
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "celeriac", "-d",
                              db or self.db, "-tA", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=sql, check=True,
                             capture_output=True, text=True)
        return out.stdout.strip()

    def enqueue(self, task, args, retries=0):
        """POST /tasks; returns the id on 201, None otherwise (not accepted)."""
        for _ in range(retries + 1):
            try:
                status, body = http("POST", self.api_url + "/tasks", {"task": task, "args": args})
                if status == 201:
                    return body["id"]
            except OSError:
                pass
            time.sleep(0.05)
        return None

    def record(self, task_id):
        raw = self.r.hgetall(f"celeriac:task:{task_id}")
        return {k.decode(): v.decode() for k, v in raw.items()}

    def states(self, ids):
        pipe = self.r.pipeline()
        for task_id in ids:
            pipe.hget(f"celeriac:task:{task_id}", "state")
        return [s.decode() if s else None for s in pipe.execute()]

    def wait_all_final(self, ids, timeout):
        deadline = time.monotonic() + timeout
        while True:
            states = self.states(ids)
            pending = [i for i, s in zip(ids, states) if s not in FINAL]
            if not pending:
                return states
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(pending)} of {len(ids)} tasks not final after {timeout}s: {pending[:5]}")
            time.sleep(0.2)

    def leases_left(self):
        held = sum(self.r.scard(k) for k in self.r.scan_iter("celeriac:worker-leases:*"))
        return self.r.zcard("celeriac:leases") + held

    def leased_tasks(self, worker):
        tokens = [t.decode() for t in self.r.smembers(f"celeriac:worker-leases:{worker}")]
        return [t.decode() for t in (self.r.hget(f"celeriac:lease:{tok}", "task") for tok in tokens) if t]


def http(method, url, body=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json", "Authorization": "Bearer " + TOKEN["value"]})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _redis_ping(port):
    try:
        return redis.Redis(port=port, socket_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False


def sleep_args():
    return [round(random.uniform(0.01, 0.2), 3)]
