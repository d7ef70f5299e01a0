namespace Celeriac.Hosting;

/// <summary>Settings of the worker host's scheduler, bound from <c>Celeriac:Scheduler</c>.</summary>
public sealed class LocalSchedulerOptions
{
    /// <summary>The schedules are looked at at least this often (and at every due slot).</summary>
    public TimeSpan PollPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The scheduler lock's time to live: a dead scheduler's lock passes to another process after this long.</summary>
    public TimeSpan LockTtl { get; set; } = TimeSpan.FromSeconds(30);
}
