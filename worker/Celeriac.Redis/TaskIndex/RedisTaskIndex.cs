using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Celeriac.Redis.Store;
using Celeriac.TaskIndex;
using StackExchange.Redis;

namespace Celeriac.Redis.TaskIndex;

/// <summary>
/// The recent-tasks index in Redis: a hash per task, sorted sets of ids by last update (all, per name, per state) and a
/// hash of counts per minute, all under one hash tag. A batch is one script (<c>record.lua</c>); a search reads a bounded
/// range of one sorted set (<c>search.lua</c>).
/// </summary>
public sealed class RedisTaskIndex(RedisStoreKeys keys) : ITaskIndex
{
    private const string Group = "tasks";
    private static readonly string Record = RedisLua.Load("TaskIndex/record.lua");
    private static readonly string Search = RedisLua.Load("TaskIndex/search.lua");

    private string Prefix => keys.TagOf(Group);

    public async ValueTask RecordAsync(IReadOnlyList<TaskEvent> events, IReadOnlyList<TaskActivity> activity, TaskIndexLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(activity);
        var args = new List<RedisValue>(events.Count + 5)
        {
            Prefix,
            limits.MaxTasks,
            (long)limits.MaxAge.TotalMilliseconds,
            JsonSerializer.Serialize(activity.Select(a => new object[] { a.Minute.ToUnixTimeMilliseconds(), a.TaskName, a.State.ToString(), a.Count }).ToArray(), RedisIndexJson.Default.ObjectArrayArray),
            (long)TaskActivity.Retention.TotalMilliseconds,
        };
        foreach (var e in events) args.Add(JsonSerializer.Serialize(ScriptEvent.Of(e), RedisIndexJson.Default.ScriptEvent));
        await keys.Database.ScriptEvaluateAsync(Record, [keys.Tagged(Group, "recent")], [.. args]).ConfigureAwait(false);
    }

    public async ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        var fields = await keys.Database.HashGetAllAsync(keys.Tagged(Group, "task:" + taskId)).ConfigureAwait(false);
        return fields.Length == 0 ? null : ToRecord(taskId, fields.Select(f => ((string)f.Name!, (string)f.Value!)));
    }

    public async ValueTask<IReadOnlyList<TaskRecord>> SearchAsync(TaskQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var set = query.TaskName is not null ? "name:" + query.TaskName : query.State is { } state ? "state:" + state : "recent";
        var result = (RedisResult[])(await keys.Database.ScriptEvaluateAsync(Search, [keys.Tagged(Group, set)],
        [
            Prefix,
            query.Until is { } until ? "(" + until.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "+inf",
            query.Since is { } since ? since.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "-inf",
            query.EffectiveLimit,
            query.TaskName is not null && query.State is not null ? query.ScanLimit : query.EffectiveLimit,
            query.State?.ToString() ?? "",
            query.TaskName ?? "",
        ]).ConfigureAwait(false))!;
        var records = new List<TaskRecord>(result.Length / 2);
        for (var i = 0; i + 1 < result.Length; i += 2)
        {
            var pairs = (RedisResult[])result[i + 1]!;
            records.Add(ToRecord((string)result[i]!, Enumerable.Range(0, pairs.Length / 2).Select(j => ((string)pairs[2 * j]!, (string)pairs[2 * j + 1]!))));
        }
        return records;
    }

    public async ValueTask<IReadOnlyList<TaskActivity>> GetActivityAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var now = TaskActivity.MinuteOf(DateTimeOffset.UtcNow).AddMinutes(1);
        var first = TaskActivity.MinuteOf(since);
        var oldest = TaskActivity.MinuteOf(now - TaskActivity.Retention);
        if (first < oldest) first = oldest;
        var batch = keys.Database.CreateBatch();
        var reads = new List<(DateTimeOffset Minute, Task<HashEntry[]> Read)>();
        for (var minute = first; minute <= now; minute = minute.AddMinutes(1))
            reads.Add((minute, batch.HashGetAllAsync(keys.Tagged(Group, "activity:" + minute.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)))));
        batch.Execute();
        var activity = new List<TaskActivity>();
        foreach (var (minute, read) in reads)
        {
            foreach (var entry in await read.ConfigureAwait(false))
            {
                var parts = ((string)entry.Name!).Split('\n', 2);
                if (parts.Length == 2 && Enum.TryParse<TaskState>(parts[1], out var state))
                    activity.Add(new TaskActivity(minute, parts[0], state, (long)entry.Value));
            }
        }
        return activity;
    }

    private static TaskRecord ToRecord(string id, IEnumerable<(string Name, string Value)> fields)
    {
        var f = fields.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        string? S(string name) => f.GetValueOrDefault(name);
        DateTimeOffset? T(string name) => S(name) is { } ms && long.TryParse(ms, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
        double? D(string name) => S(name) is { } d && double.TryParse(d, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
        return new TaskRecord(id)
        {
            TaskName = S("name"),
            Queue = S("queue"),
            State = Enum.TryParse<TaskState>(S("state"), out var state) ? state : TaskState.Queued,
            Rank = long.TryParse(S("rank"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var rank) ? rank : long.MinValue,
            Attempt = int.TryParse(S("attempt"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var attempt) ? attempt : 0,
            EnqueuedAt = T("enqueuedAt"),
            StartedAt = T("startedAt"),
            FinishedAt = T("finishedAt"),
            UpdatedAt = T("updatedAt") ?? DateTimeOffset.UnixEpoch,
            Worker = S("worker"),
            DurationMs = D("durationMs"),
            ExceptionType = S("exceptionType"),
            ExceptionMessage = S("exceptionMessage"),
            Args = S("args"),
            ArgsMasked = S("argsMasked") == "1",
            TraceId = S("traceId"),
            Progress = D("progress"),
            ProgressMessage = S("progressMessage"),
        };
    }

    /// <summary>An event as <c>record.lua</c> reads it: timestamps as millisecond strings (Lua's numbers would round them), nulls left out.</summary>
    internal sealed record ScriptEvent
    {
        [JsonPropertyName("id")] public required string Id { get; init; }
        [JsonPropertyName("state")] public string? State { get; init; }
        [JsonPropertyName("rank")] public long Rank { get; init; }
        [JsonPropertyName("attempt")] public int Attempt { get; init; }
        [JsonPropertyName("at")] public required string At { get; init; }
        [JsonPropertyName("name")] public string? Name { get; init; }
        [JsonPropertyName("queue")] public string? Queue { get; init; }
        [JsonPropertyName("worker")] public string? Worker { get; init; }
        [JsonPropertyName("enq")] public string? Enqueued { get; init; }
        [JsonPropertyName("start")] public string? Started { get; init; }
        [JsonPropertyName("fin")] public string? Finished { get; init; }
        [JsonPropertyName("dur")] public string? Duration { get; init; }
        [JsonPropertyName("exType")] public string? ExceptionType { get; init; }
        [JsonPropertyName("exMsg")] public string? ExceptionMessage { get; init; }
        [JsonPropertyName("args")] public string? Args { get; init; }
        [JsonPropertyName("masked")] public bool Masked { get; init; }
        [JsonPropertyName("trace")] public string? Trace { get; init; }
        [JsonPropertyName("progress")] public string? Progress { get; init; }
        [JsonPropertyName("progressMsg")] public string? ProgressMessage { get; init; }
        [JsonPropertyName("reset")] public bool Reset { get; init; }

        public static ScriptEvent Of(TaskEvent e) => new()
        {
            Id = e.TaskId,
            State = e.State?.ToString(),
            Rank = e.State is null ? 0 : e.Rank,
            Attempt = e.Attempt,
            At = Ms(e.At)!,
            Name = e.TaskName,
            Queue = e.Queue,
            Worker = e.Worker,
            Enqueued = Ms(e.EnqueuedAt),
            Started = Ms(e.StartedAt),
            Finished = Ms(e.FinishedAt),
            Duration = e.DurationMs?.ToString("0.###", CultureInfo.InvariantCulture),
            ExceptionType = e.ExceptionType,
            ExceptionMessage = e.ExceptionMessage,
            Args = e.Args,
            Masked = e.ArgsMasked,
            Trace = e.TraceId,
            Progress = e.Progress?.ToString("0.####", CultureInfo.InvariantCulture),
            ProgressMessage = e.ProgressMessage,
            Reset = e.Reset,
        };

        private static string? Ms(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
    }
}

[JsonSerializable(typeof(RedisTaskIndex.ScriptEvent))]
[JsonSerializable(typeof(object[][]))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(string))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class RedisIndexJson : JsonSerializerContext;
