"""The Python side of the interop tests: a stock Celery 5 app whose broker, result backend and transport options come
from the environment the .NET test sets, and the Python tasks the tests send to or receive from .NET.

INTEROP_BROKER      Celery broker_url (redis://... or sqs://key:secret@host:port)
INTEROP_BACKEND     Celery result_backend (redis://...)
INTEROP_VISIBILITY  kombu's visibility_timeout, in seconds (default 3600)
INTEROP_SQS_PREFIX  kombu's queue_name_prefix for SQS (default empty)
INTEROP_PROTOCOL    Celery's task_protocol (default 2)
"""
import os

from celery import Celery

broker = os.environ["INTEROP_BROKER"]
options = {"visibility_timeout": int(float(os.environ.get("INTEROP_VISIBILITY", "3600")))}
if broker.startswith("sqs://"):
    options.update(region="us-east-1", is_secure=False, wait_time_seconds=1, polling_interval=0.2,
                   queue_name_prefix=os.environ.get("INTEROP_SQS_PREFIX", ""))

app = Celery("interop", broker=broker, backend=os.environ["INTEROP_BACKEND"])
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_protocol=int(os.environ.get("INTEROP_PROTOCOL", "2")),
    broker_transport_options=options,
    broker_connection_retry_on_startup=True,
    worker_prefetch_multiplier=1,
    task_acks_late=True,
)


@app.task(name="tasks.add")
def add(x, y):
    return x + y


@app.task(name="tasks.inc")
def inc(x):
    return x + 1


@app.task(name="tasks.fail")
def fail(message):
    raise ValueError(message)


@app.task(name="tasks.errback")
def errback(task_id):
    """An old-style errback: called with the id of the task that failed."""
    return "errback:" + task_id


@app.task(name="tasks.total")
def total(values):
    """A chord's callback: the sum of the header's results."""
    return sum(values)


@app.task(name="demo.square")
def square(value, milliseconds=0):
    """The Python twin of Celeriac's example task, for the restore tests: which side ran it is in the result."""
    return "python"
