namespace Celeriac.Tasks;

/// <summary>The rate limit of a task type (<see cref="RateLimits.RateLimitMiddleware"/>).</summary>
public sealed partial class TaskOptions
{
    /// <summary>Global rate limit of this task type across all workers, e.g. <c>70/s</c>, <c>1000/m</c>, <c>10/h</c>. Over it, a task waits (released with a delay), it does not fail.</summary>
    public string? RateLimit { get; set; }
}
