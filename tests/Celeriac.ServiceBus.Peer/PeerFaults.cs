using System.Collections.Concurrent;

namespace Celeriac.ServiceBus.Peer;

/// <summary>
/// Faults and delays the peer injects, by operation name (<see cref="PeerOperations"/> or a management operation such
/// as <c>com.microsoft:renew-lock</c>). A failure answers the way the service answers when it is busy: a rejected
/// transfer or disposition with <c>com.microsoft:server-busy</c>, a management answer with status 503 and that
/// condition, HTTP 503. The SDK treats these as transient and retries.
/// </summary>
public sealed class PeerFaults
{
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimeSpan> _delays = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="count"/> operations of this kind fail as server-busy.</summary>
    public void FailNext(string operation, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _failures.AddOrUpdate(operation, count, (_, old) => old + count);
    }

    /// <summary>Failures injected and not yet used.</summary>
    public int Pending(string operation) => _failures.TryGetValue(operation, out var n) ? n : 0;

    /// <summary>Every answer to this kind of operation waits this long first (TimeSpan.Zero removes the delay).</summary>
    public void Delay(string operation, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero) _delays.TryRemove(operation, out _);
        else _delays[operation] = delay;
    }

    public void Clear()
    {
        _failures.Clear();
        _delays.Clear();
    }

    internal bool ShouldFail(string operation)
    {
        while (_failures.TryGetValue(operation, out var n) && n > 0)
            if (_failures.TryUpdate(operation, n - 1, n)) return true;
        return false;
    }

    internal TimeSpan DelayOf(string operation) => _delays.TryGetValue(operation, out var d) ? d : TimeSpan.Zero;
}
