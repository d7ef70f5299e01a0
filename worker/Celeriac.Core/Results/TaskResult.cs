using System.Text.Json;

namespace Celeriac.Results;

/// <summary>How a task ended: its result as JSON, or the exception that failed it for good.</summary>
public sealed record TaskResult(string TaskId, bool Succeeded, string? ResultJson, string? ExceptionType, string? ExceptionMessage, DateTimeOffset CompletedAt)
{
    /// <summary>For a failed workflow: the id of the step where it stopped.</summary>
    public string? FailedTaskId { get; init; }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, TaskResultJson.Default.TaskResult);

    public static TaskResult FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, TaskResultJson.Default.TaskResult) ?? throw new JsonException("A stored task result is null.");
}
