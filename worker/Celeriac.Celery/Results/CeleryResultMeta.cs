using System.Text.Json.Nodes;
using Celeriac.Celery.Protocol;
using Celeriac.Client;
using Celeriac.Revocation;
using Celeriac.Results;

namespace Celeriac.Celery.Results;

/// <summary>
/// The record a Celery result backend keeps per task (<c>celery-task-meta-&lt;id&gt;</c> in Redis): <c>status</c>,
/// <c>result</c> (the return value, or the exception for failures, retries and revocations), <c>traceback</c>,
/// <c>children</c>, <c>date_done</c> (for ready states), <c>group_id</c>/<c>parent_id</c> when the task has them, and
/// <c>task_id</c>. What Python's <c>AsyncResult</c> reads.
/// </summary>
public static class CeleryResultMeta
{
    public static JsonObject Create(string taskId, string state, JsonNode? result, string? traceback, JsonArray? children, string? groupId, string? parentId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        var meta = new JsonObject
        {
            ["status"] = state,
            ["result"] = result,
            ["traceback"] = traceback,
            ["children"] = children ?? [],
            ["date_done"] = CeleryStates.IsReady(state) ? CeleryTime.FormatNaive(now) : null,
        };
        if (!string.IsNullOrEmpty(groupId)) meta["group_id"] = groupId;
        if (!string.IsNullOrEmpty(parentId)) meta["parent_id"] = parentId;
        meta["task_id"] = taskId;
        return meta;
    }

    /// <summary>A child as Celery lists it in <c>children</c>: <c>[[id, null], null]</c> (an AsyncResult's tuple).</summary>
    public static JsonArray Child(string taskId) => [new JsonArray(taskId, null), null];

    public static string? State(JsonObject? meta) => CeleryJson.String(meta?["status"]);

    /// <summary>The final outcome a stored record describes, as Celeriac's handles read results; null while the task is not ready.</summary>
    public static TaskResult? ToTaskResult(string taskId, JsonObject? meta, DateTimeOffset now)
    {
        var state = State(meta);
        if (meta is null || !CeleryStates.IsReady(state)) return null;
        var done = CeleryTime.TryParse(CeleryJson.String(meta["date_done"]), out var at) ? at : now;
        return state switch
        {
            CeleryStates.Success => new TaskResult(taskId, true, CeleryJson.ToText(meta["result"]), null, null, done),
            CeleryStates.Revoked => new TaskResult(taskId, false, null, TaskRevokedException.ResultType, CeleryException.Message(meta["result"]), done),
            _ => new TaskResult(taskId, false, null, CeleryException.TypeName(meta["result"]), CeleryException.Message(meta["result"]), done),
        };
    }
}
