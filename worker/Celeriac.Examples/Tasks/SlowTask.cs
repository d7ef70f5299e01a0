using Celeriac.Tasks;

namespace Celeriac.Examples.Tasks;

public sealed record SlowArgs(int Milliseconds);

/// <summary>Honours its token; runs longer than its soft time limit when asked to.</summary>
[CeleriacTask("demo.slow", Queue = "low", SoftTimeLimitSeconds = 1, HardTimeLimitSeconds = 5)]
public sealed class SlowTask : ICeleriacTask<SlowArgs>
{
    public Task RunAsync(SlowArgs args, TaskContext context) => Task.Delay(args.Milliseconds, context.CancellationToken);
}
