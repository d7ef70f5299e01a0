using System.Collections.Concurrent;
using Celeriac.Tasks;

namespace Celeriac.Redis.Tests;

public sealed record EchoArgs(string Text);

public sealed record EchoResult(string Text, int Length);

[CeleriacTask("tests.echo")]
public sealed class EchoTask : ICeleriacTask<EchoArgs, EchoResult>
{
    public Task<EchoResult> RunAsync(EchoArgs args, TaskContext context)
    {
        if (args.Text == "fail") throw new InvalidOperationException("asked to fail");
        return Task.FromResult(new EchoResult(args.Text.ToUpperInvariant(), args.Text.Length));
    }
}

public sealed record HoldArgs(string Name, int Milliseconds);

/// <summary>Holds for a while (or until cancelled) and records when each run started and ended.</summary>
[CeleriacTask("tests.hold")]
public sealed class HoldTask(Timeline timeline) : ICeleriacTask<HoldArgs>
{
    public async Task RunAsync(HoldArgs args, TaskContext context)
    {
        var started = DateTimeOffset.UtcNow;
        try
        {
            await Task.Delay(args.Milliseconds, context.CancellationToken);
            timeline.Runs.Add((context.TaskId, args.Name, started, DateTimeOffset.UtcNow, false));
        }
        catch (OperationCanceledException)
        {
            timeline.Runs.Add((context.TaskId, args.Name, started, DateTimeOffset.UtcNow, true));
            throw;
        }
    }
}

public sealed class Timeline
{
    public ConcurrentBag<(string TaskId, string Name, DateTimeOffset Start, DateTimeOffset End, bool Cancelled)> Runs { get; } = [];
}
