using System.Collections.Concurrent;

namespace Celeriac.Redis.Tests;

/// <summary>How many times each task id ran, shared by the in-process workers of a test.</summary>
public sealed class Counter
{
    public ConcurrentDictionary<string, int> Runs { get; } = new(StringComparer.Ordinal);

    public void Add(string taskId) => Runs.AddOrUpdate(taskId, 1, (_, n) => n + 1);
}
