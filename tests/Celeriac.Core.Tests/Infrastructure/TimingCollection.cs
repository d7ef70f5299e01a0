namespace Celeriac.Tests.Infrastructure;

/// <summary>
/// Tests that rely on one-second leases or stall windows, or that deliberately block a thread-pool thread,
/// run alone (after the parallel ones): on a two-core machine a busy pool could otherwise delay a
/// heartbeat past a lease and turn correct code into a red test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing-sensitive";
}
