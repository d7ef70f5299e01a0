using Celeriac.Tasks;

namespace Celeriac.Examples.Tasks;

public sealed record IoArgs(int Milliseconds);

/// <summary>I/O-bound: waits as a call to a slow service would.</summary>
[CeleriacTask("demo.io", Queue = "high")]
public sealed class IoTask : ICeleriacTask<IoArgs>
{
    public Task RunAsync(IoArgs args, TaskContext context) => Task.Delay(args.Milliseconds, context.CancellationToken);
}
