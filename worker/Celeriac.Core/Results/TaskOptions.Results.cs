namespace Celeriac.Tasks;

/// <summary>The result options of a task type (<see cref="Results.ResultMiddleware"/>).</summary>
public sealed partial class TaskOptions
{
    /// <summary>Store the result (or the failure) for <see cref="Results.TaskHandle"/>. Default: when the task returns a value.</summary>
    public bool? StoreResult { get; set; }

    /// <summary>How long a stored result is kept.</summary>
    public TimeSpan ResultExpires { get; set; } = TimeSpan.FromDays(1);
}
