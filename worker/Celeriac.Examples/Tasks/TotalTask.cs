using Celeriac.Tasks;

namespace Celeriac.Examples.Tasks;

/// <summary>A chord callback: adds up the amounts of a group, recording "started" and "done" in the execution log.</summary>
[CeleriacTask("demo.total", Queue = "default")]
public sealed class TotalTask(ExecutionLog log) : ICeleriacTask<Amount[], Amount>
{
    public async Task<Amount> RunAsync(Amount[] args, TaskContext context)
    {
        await log.RecordAsync(context, "started").ConfigureAwait(false);
        var total = new Amount(args.Sum(a => a.Value), args.Length > 0 ? args[0].Milliseconds : 0);
        await log.RecordAsync(context, "done").ConfigureAwait(false);
        return total;
    }
}
