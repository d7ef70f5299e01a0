"""Celery 5.2 on the same redis-server: no-op throughput (prefork, concurrency 2) and enqueue-to-start latency.

Run with Debian's /usr/bin/python3 (python3-celery). Prints one JSON line: tasks_per_s, p50_ms, p99_ms.
Usage: celery_bench.py REDIS_URL TASKS LATENCY_SAMPLES WARM_UP_PROBES
"""
import json
import math
import os
import subprocess
import sys
import time

import redis

url, tasks, samples, warm_up = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
here = os.path.dirname(os.path.abspath(__file__))
env = dict(os.environ, BENCH_REDIS=url, PYTHONPATH=here)
sys.path.insert(0, here)
os.environ["BENCH_REDIS"] = url
from celery_app import app, noop, probe  # noqa: E402

r = redis.Redis.from_url(url)
r.flushdb()

with app.producer_or_acquire() as producer:
    for i in range(tasks):
        noop.apply_async((i,), producer=producer)

worker = subprocess.Popen(
    [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "-P", "prefork", "-c", "2",
     "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
    cwd=here, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    def remaining():
        return r.llen("celery") + r.hlen("unacked")

    measured = tasks - tasks // 10
    deadline = time.time() + 600
    while remaining() > measured:
        if time.time() > deadline or worker.poll() is not None:
            raise SystemExit("celery worker did not start working")
        time.sleep(0.001)
    started = time.perf_counter()
    while remaining() > 0:
        time.sleep(0.002)
    rate = measured / (time.perf_counter() - started)

    waits = []
    for i in range(warm_up + samples):
        before = r.llen("bench:waits")
        probe.apply_async((time.time(),))
        while r.llen("bench:waits") == before:
            time.sleep(0.0005)
        time.sleep(0.003)
    waits = sorted(float(w) * 1000 for w in r.lrange("bench:waits", warm_up, -1))

    def percentile(q):
        index = max(0, min(len(waits) - 1, math.ceil(q * len(waits)) - 1))
        return waits[index]

    print(json.dumps({"tasks_per_s": rate, "p50_ms": percentile(0.50), "p99_ms": percentile(0.99), "measured": measured}))
finally:
    worker.terminate()
    worker.wait(30)
