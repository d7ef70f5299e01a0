namespace Celeriac.Control;

/// <summary>Control settings inside one process (tests, the in-memory broker).</summary>
public sealed class InMemoryControlStore : IControlStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _entries = new(StringComparer.Ordinal);
    private long _version;

    public ValueTask<long> SetAsync(string key, string? value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (_lock)
        {
            if (value is null) _entries.Remove(key);
            else _entries[key] = value;
            return ValueTask.FromResult(++_version);
        }
    }

    public ValueTask<ControlSnapshot?> GetAsync(long knownVersion, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_version == knownVersion ? null
                : new ControlSnapshot(_version, new Dictionary<string, string>(_entries, StringComparer.Ordinal)));
        }
    }
}
