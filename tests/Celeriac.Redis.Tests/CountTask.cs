using Celeriac.Tasks;

namespace Celeriac.Redis.Tests;

[CeleriacTask("tests.count")]
public sealed class CountTask(Counter counter) : ICeleriacTask<CountArgs>
{
    public async Task RunAsync(CountArgs args, TaskContext context)
    {
        counter.Add(context.TaskId);
        if (args.Milliseconds > 0) await Task.Delay(args.Milliseconds, context.CancellationToken);
    }
}
