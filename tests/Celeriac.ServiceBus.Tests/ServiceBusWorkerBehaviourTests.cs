using System.Text;
using Celeriac.Brokers;
using Celeriac.Examples.Tasks;
using Celeriac.ServiceBus.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Tests;

/// <summary>Real worker processes on the fake namespace: lock renewal for long tasks, graceful drain, retries and dead letters.</summary>
public sealed class ServiceBusWorkerBehaviourTests(FakeServiceBusFixture fixture) : IClassFixture<FakeServiceBusFixture>
{
    [Fact]
    public async Task Tasks_three_times_longer_than_the_lock_run_once_while_two_workers_compete()
    {
        await using var scenario = new ServiceBusScenario(fixture.Fake, fixture.NewPrefix());
        var ids = new HashSet<string>();
        for (var i = 0; i < 6; i++) ids.Add(await scenario.Client.EnqueueAsync(new RecordArgs(9000)));
        var first = scenario.StartWorker(concurrency: 4);
        var second = scenario.StartWorker(concurrency: 4);

        Assert.True(await ServiceBusScenario.WaitUntilAsync(async () => scenario.Executions().Count(e => e.Event == "done") == 6 && (await scenario.DepthAsync()).Total == 0,
            TimeSpan.FromSeconds(90)), string.Join("\n", scenario.Executions()) + $"\n{await scenario.DepthAsync()}\n" + first.Output + "\n---\n" + second.Output);
        // Longer than a lock: a lock that was not renewed would have handed a task to the other worker by now.
        await Task.Delay(TimeSpan.FromSeconds(4));

        var executions = scenario.Executions();
        Assert.Equal(ids, executions.Where(e => e.Event == "started").Select(e => e.TaskId).ToHashSet());
        Assert.Equal(6, executions.Count(e => e.Event == "started"));
        Assert.Equal(6, executions.Count(e => e.Event == "done"));
        Assert.Empty(await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None));
        Assert.Equal((0, 0, 0), fixture.Fake.CountsOf(scenario.Prefix + "default/$DeadLetterQueue"));
    }

    [Fact]
    public async Task Sigterm_drains_running_tasks_and_leaves_the_rest_queued()
    {
        await using var scenario = new ServiceBusScenario(fixture.Fake, fixture.NewPrefix());
        for (var i = 0; i < 12; i++) await scenario.Client.EnqueueAsync(new RecordArgs(6000));
        var worker = scenario.StartWorker(concurrency: 4, grace: "00:00:20");
        Assert.True(await ServiceBusScenario.WaitUntilAsync(() => scenario.Executions().Count(e => e.Event == "started") >= 4, TimeSpan.FromSeconds(60)), worker.Output);

        worker.Terminate();
        var exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exit);
        var executions = scenario.Executions();
        var started = executions.Where(e => e.Event == "started").Select(e => e.TaskId).ToHashSet();
        var done = executions.Where(e => e.Event == "done").Select(e => e.TaskId).ToHashSet();
        Assert.True(started.Count == 4, string.Join("\n", executions) + "\n" + worker.Output);
        Assert.Equal(started, done);
        Assert.True(await ServiceBusScenario.WaitUntilAsync(async () => await scenario.DepthAsync() == new QueueDepth(8, 0, 0), TimeSpan.FromSeconds(10)),
            $"{await scenario.DepthAsync()}\n{worker.Output}");
        Assert.Contains("Stopped fetching", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retries_succeed_exhausted_retries_and_poison_messages_are_dead_lettered_with_a_reason()
    {
        await using var scenario = new ServiceBusScenario(fixture.Fake, fixture.NewPrefix());
        var recovers = await scenario.Client.EnqueueAsync(new FlakyArgs(2));
        var fails = await scenario.Client.EnqueueAsync(new FlakyArgs(10));
        await scenario.Broker.SendAsync([new OutgoingMessage("default", Encoding.UTF8.GetBytes("{not json"))], CancellationToken.None);
        await scenario.Client.EnqueueAsync("no.such.task", new { a = 1 });
        for (var i = 0; i < 5; i++) await scenario.Client.EnqueueAsync(new RecordArgs(1));
        var worker = scenario.StartWorker();

        Assert.True(await ServiceBusScenario.WaitUntilAsync(async () => (await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None)).Count == 3
                && scenario.Executions().Count(e => e.Event == "done") == 5
                && (await scenario.DepthAsync()).Total == 0,
            TimeSpan.FromSeconds(60)), worker.Output);

        var letters = await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None);
        Assert.Contains(letters, d => d.Reason.Contains("max retries (3) exceeded", StringComparison.Ordinal) && Encoding.UTF8.GetString(d.Body.Span).Contains(fails, StringComparison.Ordinal));
        Assert.Contains(letters, d => d.Reason.Contains("unparseable", StringComparison.Ordinal));
        Assert.Contains(letters, d => d.Reason.Contains("unknown task 'no.such.task'", StringComparison.Ordinal));
        Assert.DoesNotContain(letters, d => Encoding.UTF8.GetString(d.Body.Span).Contains(recovers, StringComparison.Ordinal));
        Assert.All(letters, d => Assert.Equal("default", d.Queue));
        Assert.False(worker.HasExited);
    }
}
