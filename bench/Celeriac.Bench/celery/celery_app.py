import os
import time

import redis
from celery import Celery

url = os.environ["BENCH_REDIS"]
app = Celery("bench", broker=url)
app.conf.update(task_serializer="json", accept_content=["json"], task_ignore_result=True,
                worker_prefetch_multiplier=4, broker_connection_retry_on_startup=True)
_redis = redis.Redis.from_url(url)


@app.task(name="bench.noop")
def noop(i):
    return None


@app.task(name="bench.probe")
def probe(sent):
    _redis.rpush("bench:waits", time.time() - sent)


@app.task(name="demo.noop")
def demo_noop(n):
    """Celery's twin of Celeriac's demo.noop, for the Celery-protocol drain (celery_drain.py)."""
    return None
