using Celeriac.Tasks;

namespace Celeriac.Examples.Tasks;

/// <summary>A workflow step: squares its amount after a wait, recording "started" and "done" in the execution log.</summary>
[CeleriacTask("demo.square", Queue = "default")]
public sealed class SquareTask(ExecutionLog log) : ICeleriacTask<Amount, Amount>
{
    public async Task<Amount> RunAsync(Amount args, TaskContext context)
    {
        await log.RecordAsync(context, "started").ConfigureAwait(false);
        if (args.Milliseconds > 0) await Task.Delay(args.Milliseconds, context.CancellationToken).ConfigureAwait(false);
        await log.RecordAsync(context, "done").ConfigureAwait(false);
        return args with { Value = args.Value * args.Value };
    }
}
