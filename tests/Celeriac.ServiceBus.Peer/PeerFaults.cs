using System.Collections.Concurrent;

namespace Celeriac.ServiceBus.Peer;

/// <summary>
/// Faults and delays the peer injects, by operation name (<see cref="PeerOperations"/> or a management operation such
/// as <c>com.microsoft:renew-lock</c>). A failure answers with an error condition the way the service does: a rejected
/// transfer or disposition carrying the condition, a management answer with status 503 (busy) or 408 (timeout) and the
/// condition, HTTP 503 or 408. The SDK treats both as transient and retries; after <see cref="ServerBusy"/> it waits
/// ten seconds before its next try (its documented server-busy back-off), after <see cref="Timeout"/> only its usual delay.
/// </summary>
public sealed class PeerFaults
{
    public const string ServerBusy = "com.microsoft:server-busy";
    public const string Timeout = "com.microsoft:timeout";

    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimeSpan> _delays = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="count"/> operations of this kind fail with <paramref name="condition"/> (<see cref="ServerBusy"/> or <see cref="Timeout"/>).</summary>
    public void FailNext(string operation, int count = 1, string condition = ServerBusy)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (condition is not (ServerBusy or Timeout)) throw new ArgumentException($"the peer injects {ServerBusy} or {Timeout}", nameof(condition));
        var queue = _failures.GetOrAdd(operation, _ => new ConcurrentQueue<string>());
        for (var i = 0; i < count; i++) queue.Enqueue(condition);
    }

    /// <summary>Failures injected and not yet used.</summary>
    public int Pending(string operation) => _failures.TryGetValue(operation, out var queue) ? queue.Count : 0;

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

    /// <summary>The condition to fail this operation with, or null to carry it out.</summary>
    internal string? Failure(string operation) =>
        _failures.TryGetValue(operation, out var queue) && queue.TryDequeue(out var condition) ? condition : null;

    internal TimeSpan DelayOf(string operation) => _delays.TryGetValue(operation, out var d) ? d : TimeSpan.Zero;
}
