namespace Celeriac.FanOut;

/// <summary>Fan-out checkpoints inside one process (tests, the in-memory broker).</summary>
public sealed class InMemoryFanOutProgressStore : IFanOutProgressStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _checkpoints = new(StringComparer.Ordinal);

    public ValueTask<string?> GetCheckpointAsync(string key, CancellationToken cancellationToken)
    {
        lock (_lock) return ValueTask.FromResult(_checkpoints.TryGetValue(key, out var checkpoint) ? checkpoint : null);
    }

    public ValueTask SetCheckpointAsync(string key, string checkpoint, CancellationToken cancellationToken)
    {
        lock (_lock) _checkpoints[key] = checkpoint;
        return ValueTask.CompletedTask;
    }
}
