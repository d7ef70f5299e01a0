using Celeriac.Pipeline;
using Celeriac.Tasks;

namespace Celeriac.Examples.Tasks;

public sealed record StuckArgs(int Milliseconds);

/// <summary>Ignores its cancellation token (a blocking call with no timeout): only the hard time limit stops it.</summary>
[CeleriacTask("demo.stuck", Queue = "default", SoftTimeLimitSeconds = 0.5, HardTimeLimitSeconds = 1, MaxRetries = 3)]
public sealed class StuckTask(ExecutionLog log) : ICeleriacTask<StuckArgs>
{
    public async Task RunAsync(StuckArgs args, TaskContext context)
    {
        await log.RecordAsync(context, "started").ConfigureAwait(false);
        Thread.Sleep(args.Milliseconds);
        await log.RecordAsync(context, "done").ConfigureAwait(false);
    }
}
