"""Celery 5.2 on the same redis-server: no-op throughput (prefork, concurrency 2) and enqueue-to-start latency, idle and
under a background load of no-op tasks.

Latency is measured as Celeriac's bench measures it (ProcessLatencyProbe.cs): a closed-loop warm-up, then open-loop probes,
one every PROBE_SPACING seconds whether or not the previous one has started; the load comes from another process, so that
it does not hold this one's GIL while a probe is timed.
Run with Debian's /usr/bin/python3 (python3-celery). Prints one JSON line: tasks_per_s, p50_ms, p99_ms, loaded_p50_ms,
loaded_p99_ms.
Usage: celery_bench.py REDIS_URL TASKS LATENCY_SAMPLES WARM_UP_PROBES PROBE_SPACING LOAD_RATE
       celery_bench.py --load REDIS_URL LOAD_RATE   (the load generator; runs until terminated)
"""
import json
import math
import os
import subprocess
import sys
import time

import redis

here = os.path.dirname(os.path.abspath(__file__))
if sys.argv[1] == "--load":
    os.environ["BENCH_REDIS"] = sys.argv[2]
    sys.path.insert(0, here)
    from celery_app import app, noop  # noqa: E402
    rate = float(sys.argv[3])
    with app.producer_or_acquire() as producer:
        start, sent = time.perf_counter(), 0
        while True:
            due = int((time.perf_counter() - start) * rate)
            while sent < due:
                noop.apply_async((sent,), producer=producer)
                sent += 1
            time.sleep(0.01)

url = sys.argv[1]
tasks, samples, warm_up = (int(float(a)) for a in sys.argv[2:5])
spacing, load_rate = float(sys.argv[5]), float(sys.argv[6])
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

    def probe_latencies(warm, count):
        r.delete("bench:waits")
        for i in range(warm):
            before = r.llen("bench:waits")
            probe.apply_async((time.time(),))
            while r.llen("bench:waits") == before:
                time.sleep(0.0005)
            time.sleep(0.003)
        start = time.perf_counter()
        for i in range(count):
            delay = start + spacing * (i + 1) - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            probe.apply_async((time.time(),))
        while r.llen("bench:waits") < warm + count:
            time.sleep(0.01)
        return sorted(float(w) * 1000 for w in r.lrange("bench:waits", warm, -1))

    def percentile(waits, q):
        index = max(0, min(len(waits) - 1, math.ceil(q * len(waits)) - 1))
        return waits[index]

    idle = probe_latencies(warm_up, samples)
    load = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--load", url, str(load_rate)], env=env)
    try:
        time.sleep(2)
        loaded = probe_latencies(0, samples)
    finally:
        load.terminate()
        load.wait(30)

    print(json.dumps({"tasks_per_s": rate, "p50_ms": percentile(idle, 0.50), "p99_ms": percentile(idle, 0.99),
                      "loaded_p50_ms": percentile(loaded, 0.50), "loaded_p99_ms": percentile(loaded, 0.99), "measured": measured}))
finally:
    worker.terminate()
    worker.wait(30)
