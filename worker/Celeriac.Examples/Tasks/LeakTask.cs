using Celeriac.Tasks;

namespace Celeriac.Examples.Tasks;

public sealed record LeakArgs(int Megabytes, int Milliseconds = 0);

/// <summary>Holds on to memory it allocates, as a leaking library would.</summary>
public sealed class LeakedMemory
{
    private readonly List<byte[]> _held = [];
    private readonly Lock _lock = new();

    public void Hold(byte[] block)
    {
        lock (_lock) _held.Add(block);
    }
}

[CeleriacTask("demo.leak", Queue = "default", MaxRetries = 0)]
public sealed class LeakTask(LeakedMemory leaked, ExecutionLog log) : ICeleriacTask<LeakArgs>
{
    public async Task RunAsync(LeakArgs args, TaskContext context)
    {
        var block = new byte[args.Megabytes * 1024 * 1024];
        Array.Fill(block, (byte)1);
        leaked.Hold(block);
        if (args.Milliseconds > 0) await Task.Delay(args.Milliseconds, context.CancellationToken).ConfigureAwait(false);
        await log.RecordAsync(context, "done").ConfigureAwait(false);
    }
}
