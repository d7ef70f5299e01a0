using Celeriac.Tasks;

namespace Celeriac.Examples.Tasks;

public sealed record RecordArgs(int Milliseconds);

/// <summary>
/// Records "started" and "done" in the execution log around a wait: the process tests count these. Reports progress
/// halfway, which <c>celeriac result</c> and the dashboard show while it waits.
/// </summary>
[CeleriacTask("demo.record", Queue = "default")]
public sealed class RecordTask(ExecutionLog log) : ICeleriacTask<RecordArgs>
{
    public async Task RunAsync(RecordArgs args, TaskContext context)
    {
        await log.RecordAsync(context, "started").ConfigureAwait(false);
        if (args.Milliseconds > 0)
        {
            await context.ReportProgressAsync(0.5, $"waiting {args.Milliseconds} ms").ConfigureAwait(false);
            await Task.Delay(args.Milliseconds, context.CancellationToken).ConfigureAwait(false);
        }
        await log.RecordAsync(context, "done").ConfigureAwait(false);
    }
}
