namespace Celeriac.Tests.Infrastructure;

/// <summary>
/// Tests that listen to Celeriac's ActivitySource, and tests that expect nobody to: a listener is process-wide, and
/// with one the client wraps each enqueue in a producer span (so traceparent names that span, not the caller's).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ActivityListenerCollection
{
    public const string Name = "Celeriac activity listeners";
}
