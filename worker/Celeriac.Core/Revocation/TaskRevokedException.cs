namespace Celeriac.Revocation;

/// <summary>The awaited task was revoked: discarded before it ran, or cancelled while it ran.</summary>
public sealed class TaskRevokedException(string taskId) : Exception($"Task {taskId} was revoked.")
{
    /// <summary>The exception type recorded in a stored result for a revoked task.</summary>
    public const string ResultType = "Celeriac.Revoked";

    public string TaskId { get; } = taskId;
}
