namespace Celeriac.Control;

/// <summary>
/// Control settings in the store: a small map of keys (<c>rate-limit:emails.send</c>, <c>paused:bulk</c>, ...) to values,
/// and a version that every change moves on. Workers poll the version and read the map when it moved.
/// </summary>
public interface IControlStore
{
    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, or removes it when null; returns the new version.</summary>
    ValueTask<long> SetAsync(string key, string? value, CancellationToken cancellationToken);

    /// <summary>The settings, or null when their version is still <paramref name="knownVersion"/> (nothing changed).</summary>
    ValueTask<ControlSnapshot?> GetAsync(long knownVersion, CancellationToken cancellationToken);
}

/// <summary>Every control setting at one version.</summary>
public sealed record ControlSnapshot(long Version, IReadOnlyDictionary<string, string> Entries)
{
    public static ControlSnapshot Empty { get; } = new(0, new Dictionary<string, string>(StringComparer.Ordinal));
}
