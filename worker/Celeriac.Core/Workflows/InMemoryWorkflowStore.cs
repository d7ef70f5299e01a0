namespace Celeriac.Workflows;

/// <summary>Workflow group joins inside one process (tests, the in-memory broker).</summary>
public sealed class InMemoryWorkflowStore(TimeProvider? timeProvider = null) : IWorkflowStore
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Join> _joins = new(StringComparer.Ordinal);

    public ValueTask<IReadOnlyList<string>?> JoinAsync(string joinId, int index, int size, string resultJson, TimeSpan expiry, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (!_joins.TryGetValue(joinId, out var join) || join.Until <= now)
            {
                if (_joins.Count > 10_000)
                    foreach (var key in _joins.Where(j => j.Value.Until <= now).Select(j => j.Key).ToList()) _joins.Remove(key);
                _joins[joinId] = join = new Join(new string?[size], now + expiry);
            }
            if (join.Results[index] is null)
            {
                join.Results[index] = resultJson;
                join.Count++;
            }
            if (join.Count < join.Results.Length) return ValueTask.FromResult<IReadOnlyList<string>?>(null);
            join.Completer ??= index;
            return ValueTask.FromResult<IReadOnlyList<string>?>(join.Completer == index ? [.. join.Results.Select(r => r!)] : null);
        }
    }

    private sealed class Join(string?[] results, DateTimeOffset until)
    {
        public string?[] Results { get; } = results;
        public DateTimeOffset Until { get; } = until;
        public int Count { get; set; }
        public int? Completer { get; set; }
    }
}
