using Celeriac.Registry;
using Celeriac.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Control;

/// <summary>
/// Follows the control settings in the store: polls their version, applies a new one to <see cref="ControlState"/> (rate
/// limits, time limits, paused queues take effect on the next task and the next fetch), acknowledges it with a heartbeat
/// at once, and shuts this worker down gracefully when asked. Its first read completes before the worker fetches.
/// </summary>
public sealed partial class ControlWatcher(
    IControlStore store,
    ControlState state,
    WorkerIdentity identity,
    WorkerRegistration registration,
    IWorkerLifetime lifetime,
    IOptions<ControlOptions> options,
    TimeProvider time,
    ILogger<ControlWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private int _failures;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled) await RefreshAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = options.Value.PollInterval;
        if (!options.Value.Enabled) return;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = _failures == 0 ? poll : Backoff.Exponential(_failures - 1, poll, MaxBackoff);
                await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var snapshot = await store.GetAsync(state.Version, cancellationToken).ConfigureAwait(false);
            if (_failures > 0) LogRecovered(_failures);
            _failures = 0;
            if (snapshot is null) return;
            var settings = ControlSettings.From(snapshot);
            state.Apply(settings);
            LogApplied(settings.Version, settings.RateLimits.Count, settings.SoftTimeLimits.Count + settings.HardTimeLimits.Count, settings.PausedQueues.Count);
            if (settings.Shutdowns.ContainsKey(identity.Id))
                lifetime.RequestRecycle(WorkerExitCodes.Ok, "shutdown requested through control");
            registration.HeartbeatNow();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (_failures++ == 0) LogFailed(ex);
        }
    }

    [LoggerMessage(LogLevel.Information, "Applied control settings version {Version}: {RateLimits} rate limits, {TimeLimits} time limits, {Paused} paused queues")]
    private partial void LogApplied(long version, int rateLimits, int timeLimits, int paused);

    [LoggerMessage(LogLevel.Warning, "Reading control settings from the store failed; changes made meanwhile are not applied until it answers again (trying with back-off)")]
    private partial void LogFailed(Exception exception);

    [LoggerMessage(LogLevel.Information, "Reading control settings from the store works again after {Failures} failed attempts")]
    private partial void LogRecovered(int failures);
}
