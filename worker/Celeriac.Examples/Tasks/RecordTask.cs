using Celeriac.Tasks;

namespace Celeriac.Examples.Tasks;

public sealed record RecordArgs(int Milliseconds);

/// <summary>Records "started" and "done" in the execution log around a wait: the process tests count these.</summary>
[CeleriacTask("demo.record", Queue = "default")]
public sealed class RecordTask(ExecutionLog log) : ICeleriacTask<RecordArgs>
{
    public async Task RunAsync(RecordArgs args, TaskContext context)
    {
        await log.RecordAsync(context, "started").ConfigureAwait(false);
        if (args.Milliseconds > 0) await Task.Delay(args.Milliseconds, context.CancellationToken).ConfigureAwait(false);
        await log.RecordAsync(context, "done").ConfigureAwait(false);
    }
}
