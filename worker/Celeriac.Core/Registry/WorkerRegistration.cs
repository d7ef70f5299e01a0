using Celeriac.Control;
using Celeriac.Tasks;
using Celeriac.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Registry;

/// <summary>
/// Registers this worker in the store and heartbeats: who it is, its queues and tasks, what it runs, its counts and memory,
/// whether it drains, and the control settings it applied. Registered before the fetch loop, so it stops after the drain:
/// it heartbeats "draining" while the worker finishes what it holds, then writes "stopped". While the store does not answer
/// it says so once, keeps trying each interval, and says when it answers again.
/// </summary>
public sealed partial class WorkerRegistration(
    IWorkerRegistry registry,
    WorkerIdentity identity,
    WorkerActivity activity,
    WorkerHealth health,
    QueueOrder queues,
    TaskRegistry tasks,
    ControlState control,
    IOptions<WorkerOptions> worker,
    IOptions<RegistryOptions> options,
    TimeProvider time,
    ILogger<WorkerRegistration> logger) : BackgroundService
{
    private readonly SemaphoreSlim _now = new(0, 1);
    private bool _failing;

    /// <summary>Asks for a heartbeat at once (after control settings were applied, so that the change is acknowledged).</summary>
    public void HeartbeatNow()
    {
        try
        {
            if (_now.CurrentCount == 0) _now.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    /// <summary>This worker's entry as of now.</summary>
    public WorkerInfo Describe(bool stopped = false)
    {
        return new WorkerInfo
        {
            Id = identity.Id,
            Host = identity.Host,
            Pid = identity.Pid,
            Version = WorkerIdentity.Version,
            Queues = queues.Queues,
            Concurrency = worker.Value.Concurrency,
            InFlight = activity.Running(WorkerInfo.MaxInFlightListed),
            InFlightCount = activity.RunningCount,
            Processed = activity.Processed,
            Succeeded = activity.Succeeded,
            Failed = activity.Failed,
            Retried = activity.Retried,
            MemoryBytes = Environment.WorkingSet,
            Draining = health.IsDraining,
            Stopped = stopped,
            StartedAt = identity.StartedAt,
            HeartbeatAt = time.GetUtcNow(),
            ControlVersion = control.Version,
            PausedQueues = [.. queues.Queues.Where(control.IsPaused)],
            Tasks = [.. tasks.All.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => Registered(t, control))],
        };
    }

    private static RegisteredTask Registered(TaskDescriptor task, ControlState control)
    {
        var o = task.Options;
        var rate = control.TryGetRateLimit(task.Name, out var limit) ? limit?.ToString() : o.RateLimit;
        var soft = control.TryGetSoftTimeLimit(task.Name, out var s) ? s : o.SoftTimeLimit;
        var hard = control.TryGetHardTimeLimit(task.Name, out var h) ? h : o.HardTimeLimit;
        return new RegisteredTask(task.Name, o.Queue, rate, soft, hard, o.MaxRetries, o.AcksLate, o.MaskArgs)
        {
            Lock = o.Lock.ToString(),
            LockKeyFields = [.. o.LockKeyFields],
            Expires = o.Expires,
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled) return;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await WriteAsync(Describe(), stoppingToken).ConfigureAwait(false);
                await _now.WaitAsync(settings.HeartbeatInterval, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (options.Value.Enabled) await WriteAsync(Describe(stopped: true), cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(WorkerInfo entry, CancellationToken cancellationToken)
    {
        try
        {
            await registry.HeartbeatAsync(entry, options.Value.ForgetAfter, cancellationToken).ConfigureAwait(false);
            if (_failing) LogRecovered();
            _failing = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (!_failing) LogFailed(ex);
            _failing = true;
        }
    }

    public override void Dispose()
    {
        _now.Dispose();
        base.Dispose();
    }

    [LoggerMessage(LogLevel.Warning, "Writing this worker's registry entry failed; inspect and the dashboard show it as lost until the store answers again")]
    private partial void LogFailed(Exception exception);

    [LoggerMessage(LogLevel.Information, "Writing this worker's registry entry works again")]
    private partial void LogRecovered();
}
