"""Scenarios the .NET interop tests drive from Python. Usage: interop_client.py SCENARIO JSON_PARAMETERS
Each prints one JSON line: what the scenario observed. The app comes from interop_app (see its environment).
"""
import json
import sys
import traceback

from celery import chain, chord, signature
from celery.result import AsyncResult

from interop_app import app


def outcome(result, timeout):
    try:
        return {"id": result.id, "result": result.get(timeout=timeout)}
    except Exception as exc:  # the exception rebuilt from the backend's record
        return {"id": result.id, "error": type(exc).__name__, "message": str(exc),
                "args": [str(a) for a in exc.args], "traceback": result.traceback}


def apply(p):
    """apply_async of a task by name, then wait for its result."""
    result = app.send_task(p["task"], args=p.get("args", []), kwargs=p.get("kwargs", {}), queue=p["queue"],
                           countdown=p.get("countdown"), expires=p.get("expires"), soft_time_limit=p.get("soft_time_limit"))
    return outcome(result, p.get("timeout", 30))


def send(p):
    """apply_async only: the id."""
    result = app.send_task(p["task"], args=p.get("args", []), kwargs=p.get("kwargs", {}), queue=p["queue"],
                           serializer=p.get("serializer", "json"), expires=p.get("expires"), retries=p.get("retries", 0))
    return {"id": result.id}


def get(p):
    """Waits for the result of a task sent before (by Python or by .NET)."""
    return outcome(AsyncResult(p["id"], app=app), p.get("timeout", 30))


def link(p):
    """A task with a callback (and an errback), both frozen so that their results can be awaited here."""
    callback = signature(p["callback"], queue=p["callback_queue"], app=app)
    callback.freeze()
    errback = signature("tasks.errback", queue=p["errback_queue"], app=app)
    errback.freeze()
    result = app.send_task(p["task"], args=p.get("args", []), queue=p["queue"], link=callback, link_error=errback)
    first = outcome(result, p.get("timeout", 30))
    follow = AsyncResult(errback.id if "error" in first else callback.id, app=app)
    return {"task": first, "follow": outcome(follow, p.get("timeout", 30))}


def mixed_chain(p):
    """Python add, then a .NET task on its queue, then Python inc: the chain's result and each step's."""
    steps = chain(signature("tasks.add", args=(p["x"], p["y"]), queue="celery", app=app),
                  signature(p["dotnet_task"], queue=p["dotnet_queue"], app=app),
                  signature("tasks.inc", queue="celery", app=app))
    result = steps.apply_async()
    return outcome(result, p.get("timeout", 30))


def mixed_chord(p):
    """A chord whose header runs on .NET and whose callback is Python's."""
    header = [signature(p["dotnet_task"], args=(v,), queue=p["dotnet_queue"], app=app) for v in p["values"]]
    result = chord(header)(signature("tasks.total", queue="celery", app=app))
    return outcome(result, p.get("timeout", 30))


def state(p):
    """The state and meta-data of a task as the backend holds them, without waiting."""
    meta = app.backend.get_task_meta(p["id"])
    return {"status": meta.get("status"), "result": meta.get("result") if meta.get("status") == "SUCCESS" else None,
            "children": meta.get("children"), "parent_id": meta.get("parent_id")}


if __name__ == "__main__":
    try:
        print(json.dumps(globals()[sys.argv[1]](json.loads(sys.argv[2]))), flush=True)
    except Exception:
        traceback.print_exc()
        sys.exit(2)
