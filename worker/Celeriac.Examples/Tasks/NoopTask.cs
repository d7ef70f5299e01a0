using Celeriac.Tasks;

namespace Celeriac.Examples.Tasks;

public sealed record NoopArgs(int N);

/// <summary>Does nothing: measures the runtime's own overhead.</summary>
[CeleriacTask("demo.noop", Queue = "default", MaxRetries = 0)]
public sealed class NoopTask : ICeleriacTask<NoopArgs>
{
    public Task RunAsync(NoopArgs args, TaskContext context) => Task.CompletedTask;
}
