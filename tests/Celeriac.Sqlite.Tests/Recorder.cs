using System.Collections.Concurrent;

namespace Celeriac.Sqlite.Tests;

/// <summary>What the end-to-end task saw, shared with the test through the container.</summary>
public sealed class Recorder
{
    public ConcurrentBag<int> Numbers { get; } = [];
    public ConcurrentBag<int> Totals { get; } = [];
}
