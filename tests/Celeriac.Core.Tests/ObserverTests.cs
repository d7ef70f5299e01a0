using System.Text;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Pipeline;
using Celeriac.Tests.Infrastructure;

namespace Celeriac.Tests;

public sealed class ObserverTests
{
    [Fact]
    public async Task A_custom_observer_sees_every_start_and_finish_with_its_outcome()
    {
        await using var app = await TestApp.CreateWorker(
            o => o.Concurrency = 1,
            c => c.AddTask<StrictTask>(),
            script: o => { o.MaxRetries = 1; o.RetryBackoff = TimeSpan.FromMilliseconds(10); }).StartAsync();
        app.Probe.Handler = (args, _) => args.Label == "bad" ? throw new InvalidOperationException("bad") : Task.CompletedTask;
        var ok = await app.EnqueueScriptAsync("ok");
        var bad = await app.EnqueueScriptAsync("bad");
        var expired = await app.EnqueueScriptAsync("expired", new EnqueueOptions { Expires = DateTimeOffset.UtcNow.AddMinutes(-1) });
        await app.Broker.SendAsync([new OutgoingMessage("default", Encoding.UTF8.GetBytes("""{"v":1,"id":"p","task":"test.strict","queue":"default","args":{}}"""))], CancellationToken.None);

        await Eventually.Until(() => app.Observer.Finished.Count == 4 && !app.Observer.Rejected.IsEmpty, "everything was handled");

        var finished = app.Observer.Finished.ToList();
        Assert.Equal(finished.Select(f => (f.TaskId, f.Attempt)), app.Observer.Started.Select(s => (s.TaskId, s.Attempt)));
        Assert.Equal(TaskOutcome.Succeeded, finished.Single(f => f.TaskId == ok).Outcome);
        Assert.Equal([TaskOutcome.Retried, TaskOutcome.DeadLettered], finished.Where(f => f.TaskId == bad).Select(f => f.Outcome));
        Assert.All(finished.Where(f => f.TaskId == bad), f => Assert.IsType<InvalidOperationException>(f.Exception));
        Assert.Equal(TaskOutcome.Expired, finished.Single(f => f.TaskId == expired).Outcome);
        Assert.All(finished, f => Assert.Equal(("test.script", "default"), (f.TaskName, f.Queue)));

        var rejected = Assert.Single(app.Observer.Rejected);
        Assert.Equal("test.strict", rejected.TaskName);
        Assert.StartsWith("args do not bind", rejected.Reason);
    }
}
