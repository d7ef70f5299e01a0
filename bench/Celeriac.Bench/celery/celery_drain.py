"""The Celery-protocol drain: a Python producer's no-op tasks (demo.noop, with Celery's own apply_async) drained from one
queue of the bench's redis-server, by a Celery worker (prefork, concurrency 2) or by a worker someone else starts
(Celeriac's, which speaks Celery's protocol on kombu's Redis layout).

Prints "produced" once the tasks are on the queue, then one JSON line: tasks_per_s, measured. The clock starts once
the first tenth is done, so that start-up and warm-up are not counted; a task counts as done once it is neither on
the queue nor in kombu's unacked hash.
Run with Debian's /usr/bin/python3 (python3-celery).
Usage: celery_drain.py REDIS_URL TASKS QUEUE celery|external
"""
import json
import os
import subprocess
import sys
import time

import redis

here = os.path.dirname(os.path.abspath(__file__))
url, tasks, queue, who = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
env = dict(os.environ, BENCH_REDIS=url, PYTHONPATH=here)
os.environ["BENCH_REDIS"] = url
sys.path.insert(0, here)
from celery_app import app  # noqa: E402

r = redis.Redis.from_url(url)
r.delete(queue, "unacked", "unacked_index")
with app.producer_or_acquire() as producer:
    for i in range(tasks):
        app.send_task("demo.noop", args=(i,), queue=queue, producer=producer)
print("produced", flush=True)

worker = None
if who == "celery":
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "-P", "prefork", "-c", "2", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=here, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    def remaining():
        return r.llen(queue) + r.hlen("unacked")

    measured = tasks - tasks // 10
    deadline = time.time() + 600
    while remaining() > measured:
        if time.time() > deadline or (worker is not None and worker.poll() is not None):
            raise SystemExit("no worker drained the queue")
        time.sleep(0.001)
    started = time.perf_counter()
    while remaining() > 0:
        if time.time() > deadline:
            raise SystemExit("the queue was not drained within 10 minutes")
        time.sleep(0.002)
    print(json.dumps({"tasks_per_s": measured / (time.perf_counter() - started), "measured": measured}), flush=True)
finally:
    if worker is not None:
        worker.terminate()
        worker.wait(30)
