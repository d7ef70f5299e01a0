using System.Buffers;
using System.Text.Json;
using Celeriac.TaskIndex;

namespace Celeriac.Sqlite.TaskIndex;

/// <summary>
/// A journal row's events as a JSON array with short keys and times in Unix milliseconds. Written by hand because it is
/// on the worker's side of every batch: about a fifth of the CPU of the generated serializer with ISO dates.
/// </summary>
internal static class JournalFormat
{
    /// <summary>
    /// A row's bytes stay well under the runtime's large-object threshold (85,000 bytes): a worker writes rows all the time,
    /// and arrays past it are collected only with the oldest generation, which made the index cost a busy worker a fifth of
    /// its throughput.
    /// </summary>
    public const int MaxRowBytes = 32 * 1024;

    /// <summary>
    /// The events as rows of at most about <see cref="MaxRowBytes"/> each (one event per row at least), with the number of
    /// events in each; formatted in <paramref name="buffer"/>, which the caller keeps from batch to batch.
    /// </summary>
    public static List<(byte[] Row, int Count)> Write(IReadOnlyList<TaskEvent> events, ArrayBufferWriter<byte> buffer)
    {
        var rows = new List<(byte[], int)>();
        var next = 0;
        while (next < events.Count)
        {
            buffer.ResetWrittenCount();
            var first = next;
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartArray();
                while (next < events.Count && (next == first || w.BytesCommitted + w.BytesPending < MaxRowBytes))
                    WriteEvent(w, events[next++]);
                w.WriteEndArray();
            }
            rows.Add((buffer.WrittenSpan.ToArray(), next - first));
        }
        return rows;
    }

    private static void WriteEvent(Utf8JsonWriter w, TaskEvent e)
    {
        w.WriteStartObject();
        w.WriteString("id", e.TaskId);
        w.WriteNumber("at", e.At.ToUnixTimeMilliseconds());
        if (e.State is { } state) w.WriteNumber("s", (int)state);
        if (e.Attempt != 0) w.WriteNumber("a", e.Attempt);
        Text(w, "n", e.TaskName);
        Text(w, "q", e.Queue);
        Text(w, "w", e.Worker);
        Time(w, "eq", e.EnqueuedAt);
        Time(w, "st", e.StartedAt);
        Time(w, "fi", e.FinishedAt);
        if (e.DurationMs is { } duration) w.WriteNumber("d", duration);
        Text(w, "xt", e.ExceptionType);
        Text(w, "xm", e.ExceptionMessage);
        Text(w, "args", e.Args);
        if (e.ArgsMasked) w.WriteBoolean("m", true);
        Text(w, "t", e.TraceId);
        if (e.Progress is { } progress) w.WriteNumber("p", progress);
        Text(w, "pm", e.ProgressMessage);
        if (e.Reset) w.WriteBoolean("r", true);
        if (e.HandedBack) w.WriteBoolean("hb", true);
        w.WriteEndObject();
    }

    public static List<TaskEvent> Read(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var events = new List<TaskEvent>(document.RootElement.GetArrayLength());
        foreach (var o in document.RootElement.EnumerateArray())
        {
            events.Add(new TaskEvent(o.GetProperty("id").GetString()!, o.TryGetProperty("s", out var s) ? (TaskState)s.GetInt32() : null,
                DateTimeOffset.FromUnixTimeMilliseconds(o.GetProperty("at").GetInt64()))
            {
                Attempt = o.TryGetProperty("a", out var a) ? a.GetInt32() : 0,
                TaskName = Text(o, "n"),
                Queue = Text(o, "q"),
                Worker = Text(o, "w"),
                EnqueuedAt = Time(o, "eq"),
                StartedAt = Time(o, "st"),
                FinishedAt = Time(o, "fi"),
                DurationMs = o.TryGetProperty("d", out var d) ? d.GetDouble() : null,
                ExceptionType = Text(o, "xt"),
                ExceptionMessage = Text(o, "xm"),
                Args = Text(o, "args"),
                ArgsMasked = o.TryGetProperty("m", out _),
                TraceId = Text(o, "t"),
                Progress = o.TryGetProperty("p", out var p) ? p.GetDouble() : null,
                ProgressMessage = Text(o, "pm"),
                Reset = o.TryGetProperty("r", out _),
                HandedBack = o.TryGetProperty("hb", out _),
            });
        }
        return events;
    }

    private static void Text(Utf8JsonWriter w, string key, string? value)
    {
        if (value is not null) w.WriteString(key, value);
    }

    private static void Time(Utf8JsonWriter w, string key, DateTimeOffset? value)
    {
        if (value is { } at) w.WriteNumber(key, at.ToUnixTimeMilliseconds());
    }

    private static string? Text(JsonElement o, string key) => o.TryGetProperty(key, out var value) ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement o, string key) =>
        o.TryGetProperty(key, out var value) ? DateTimeOffset.FromUnixTimeMilliseconds(value.GetInt64()) : null;
}
