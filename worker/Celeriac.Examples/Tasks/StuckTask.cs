using Celeriac.Tasks;

namespace Celeriac.Examples.Tasks;

public sealed record StuckArgs(int Milliseconds);

/// <summary>Ignores its cancellation token (a blocking call with no timeout): only the hard time limit stops it.</summary>
// The hard limit leaves room for the "started" record to be written on a busy machine before the limit strikes.
[CeleriacTask("demo.stuck", Queue = "default", SoftTimeLimitSeconds = 1, HardTimeLimitSeconds = 3, MaxRetries = 3)]
public sealed class StuckTask(ExecutionLog log) : ICeleriacTask<StuckArgs>
{
    public async Task RunAsync(StuckArgs args, TaskContext context)
    {
        await log.RecordAsync(context, "started").ConfigureAwait(false);
        Thread.Sleep(args.Milliseconds);
        await log.RecordAsync(context, "done").ConfigureAwait(false);
    }
}
