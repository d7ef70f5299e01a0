namespace Celeriac.Tasks;

/// <summary>The time limits of a task type (<see cref="TimeLimits.TimeLimitMiddleware"/>).</summary>
public sealed partial class TaskOptions
{
    /// <summary>Soft limit: the task's cancellation token is cancelled.</summary>
    public TimeSpan? SoftTimeLimit { get; set; }

    /// <summary>Hard limit: a task still running is abandoned, dead-lettered and the worker recycles.</summary>
    public TimeSpan? HardTimeLimit { get; set; }
}
