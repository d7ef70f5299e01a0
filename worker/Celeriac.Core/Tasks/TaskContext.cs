namespace Celeriac.Tasks;

/// <summary>
/// What a task body gets besides its arguments: who it is, its cancellation, and a way to report progress. It cannot
/// settle its message or change what the pipeline decides; a task ends by returning or by throwing
/// (<see cref="RetryTaskException"/>, <see cref="RejectTaskException"/> or any other exception).
/// </summary>
public sealed class TaskContext
{
    private readonly ITaskProgress? _progress;

    public TaskContext(string taskId, string taskName, string queue, int attempt, IReadOnlyDictionary<string, string>? headers,
        CancellationToken cancellationToken, ITaskProgress? progress = null)
    {
        TaskId = taskId;
        TaskName = taskName;
        Queue = queue;
        Attempt = attempt;
        Headers = headers ?? EmptyHeaders;
        CancellationToken = cancellationToken;
        _progress = progress;
    }

    private static readonly Dictionary<string, string> EmptyHeaders = [];

    public string TaskId { get; }
    public string TaskName { get; }
    public string Queue { get; }

    /// <summary>0 on the first delivery; a retry runs with the next attempt.</summary>
    public int Attempt { get; }

    /// <summary>The envelope's headers (trace context, correlation ids).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Cancelled on soft time limit, revocation, or when the worker's shutdown grace runs out.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Reports how far the task got (e.g. 0.4 and "page 40 of 100"), where something records progress.</summary>
    public ValueTask ReportProgressAsync(double fraction, string? message = null) =>
        _progress?.ReportAsync(TaskId, TaskName, Math.Clamp(fraction, 0, 1), message, CancellationToken) ?? ValueTask.CompletedTask;
}

/// <summary>Where task progress goes (a registry that the CLI and a dashboard read); none by default.</summary>
public interface ITaskProgress
{
    ValueTask ReportAsync(string taskId, string taskName, double fraction, string? message, CancellationToken cancellationToken);
}
