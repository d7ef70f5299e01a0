namespace Celeriac.Results;

/// <summary>The awaited task failed for good; carries the type and message of the exception that failed it on the worker.</summary>
public sealed class TaskFailedException(string taskId, string? exceptionType, string? exceptionMessage)
    : Exception($"Task {taskId} failed: {exceptionType}: {exceptionMessage}")
{
    public string TaskId { get; } = taskId;
    public string? ExceptionType { get; } = exceptionType;
    public string? ExceptionMessage { get; } = exceptionMessage;
}
