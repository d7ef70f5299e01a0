using Celeriac.Tasks;

namespace Celeriac.Redis.Tests;

/// <summary>A chord callback: joins the texts of a group's echoes, recording its run in the timeline.</summary>
[CeleriacTask("tests.concat")]
public sealed class ConcatTask(Timeline timeline) : ICeleriacTask<EchoResult[], EchoResult>
{
    public Task<EchoResult> RunAsync(EchoResult[] args, TaskContext context)
    {
        var now = DateTimeOffset.UtcNow;
        timeline.Runs.Add((context.TaskId, "concat", now, now, false));
        var text = string.Join(",", args.Select(a => a.Text));
        return Task.FromResult(new EchoResult(text, text.Length));
    }
}
