namespace Celeriac.Worker;

/// <summary>The worker's own account of its health, read by <see cref="WorkerLivenessCheck"/> and <see cref="WorkerReadinessCheck"/>.</summary>
public sealed class WorkerHealth(TimeProvider time)
{
    private long _lastLoopTicks = time.GetUtcNow().UtcTicks;
    private volatile string? _brokerError;
    private volatile bool _started;
    private volatile bool _draining;

    /// <summary>Alive: the fetch loop has turned within this window (it turns at least once per receive wait).</summary>
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromMinutes(2);

    public void LoopTurned() => Interlocked.Exchange(ref _lastLoopTicks, time.GetUtcNow().UtcTicks);
    public void BrokerOk() => _brokerError = null;
    public void BrokerFailed(string error) => _brokerError = error;
    public void Started() => _started = true;
    public void Draining() => _draining = true;

    public (bool Ok, string Detail) Liveness()
    {
        var idle = time.GetUtcNow() - new DateTimeOffset(Interlocked.Read(ref _lastLoopTicks), TimeSpan.Zero);
        return !_started || _draining || idle < StallAfter
            ? (true, "ok")
            : (false, $"fetch loop stalled for {idle.TotalSeconds:0}s");
    }

    public (bool Ok, string Detail) Readiness() =>
        !_started ? (false, "starting")
        : _draining ? (false, "draining")
        : _brokerError is { } error ? (false, "broker unreachable: " + error)
        : (true, "ok");
}
