using System.Text.Json;
using Celeriac.Client;
using Celeriac.Scheduling;
using Celeriac.Locks;
using Celeriac.Results;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Hosting;

/// <summary>
/// The worker host's scheduler for a laptop or a single machine: the same schedule maths as the operator, run by
/// whichever worker process holds the store's scheduler lock (so several local workers enqueue each run once), with
/// each schedule's state (last run, next slot) kept in the store so a restart neither skips nor repeats a run.
/// </summary>
public sealed partial class LocalScheduler(
    IReadOnlyList<ScheduleDefinition> schedules,
    ITaskClient client,
    ITaskLockStore locks,
    IResultStore store,
    IOptions<LocalSchedulerOptions> options,
    TimeProvider time,
    ILogger<LocalScheduler> logger) : BackgroundService
{
    public const string LockKey = "celeriac:scheduler";

    /// <summary>The state is kept as a stored result under this id prefix (the store's key-value with expiry).</summary>
    public const string StatePrefix = "celeriac-schedule-state:";

    private static readonly TimeSpan StateExpiry = TimeSpan.FromDays(400);
    private readonly string _owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Whether this process held the scheduler lock at its last pass.</summary>
    public bool IsScheduling { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wake = time.GetUtcNow() + settings.PollPeriod;
                try
                {
                    IsScheduling = await locks.AcquireAsync(LockKey, _owner, settings.LockTtl, stoppingToken).ConfigureAwait(false) == _owner;
                    if (IsScheduling)
                    {
                        foreach (var schedule in schedules)
                        {
                            if (await PassAsync(schedule, stoppingToken).ConfigureAwait(false) is { } next && next < wake) wake = next;
                        }
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is not OutOfMemoryException)
                {
                    PassFailed(logger, e);
                }
                // Renew the lock well within its time to live.
                var renew = time.GetUtcNow() + settings.LockTtl / 3;
                if (renew < wake) wake = renew;
                var delay = wake - time.GetUtcNow();
                if (delay > TimeSpan.Zero) await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (IsScheduling) await locks.ReleaseAsync(LockKey, _owner, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<DateTimeOffset?> PassAsync(ScheduleDefinition schedule, CancellationToken cancellationToken)
    {
        var state = await ReadStateAsync(schedule.Name, cancellationToken).ConfigureAwait(false);
        var outcome = await ScheduleRunner.RunAsync(schedule, state, "local", _owner, client, locks, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (outcome.Enqueued is { } id) Enqueued(logger, schedule.Name, schedule.Task, id, outcome.Slot!.Value);
        if (outcome.Missed > 0 && !schedule.Suspend) Missed(logger, schedule.Name, outcome.Missed, schedule.MissedRunPolicy);
        if (outcome.State != state) await WriteStateAsync(schedule.Name, outcome.State, cancellationToken).ConfigureAwait(false);
        await ScheduleRunner.ReleaseClaimAsync(locks, outcome, cancellationToken).ConfigureAwait(false);
        return outcome.State.NextScheduleTime;
    }

    public static async Task<ScheduleState> ReadStateAsync(IResultStore store, string schedule, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(StatePrefix + schedule, cancellationToken).ConfigureAwait(false);
        return stored?.ResultJson is { } json ? JsonSerializer.Deserialize<ScheduleState>(json) ?? new(null, null, null) : new(null, null, null);
    }

    private Task<ScheduleState> ReadStateAsync(string schedule, CancellationToken cancellationToken) => ReadStateAsync(store, schedule, cancellationToken);

    private ValueTask WriteStateAsync(string schedule, ScheduleState state, CancellationToken cancellationToken) =>
        store.SetAsync(new TaskResult(StatePrefix + schedule, true, JsonSerializer.Serialize(state), null, null, time.GetUtcNow()), StateExpiry, cancellationToken);

    [LoggerMessage(201, LogLevel.Information, "Schedule {Schedule}: enqueued {Task} as {TaskId} for {Slot}")]
    private static partial void Enqueued(ILogger logger, string schedule, string task, string taskId, DateTimeOffset slot);

    [LoggerMessage(202, LogLevel.Warning, "Schedule {Schedule}: {Missed} missed run(s) not started ({Policy})")]
    private static partial void Missed(ILogger logger, string schedule, long missed, MissedRunPolicy policy);

    [LoggerMessage(203, LogLevel.Warning, "Scheduler pass failed")]
    private static partial void PassFailed(ILogger logger, Exception exception);
}
