using System.Text;
using Celeriac.Brokers;
using Celeriac.Examples.Tasks;
using Celeriac.Worker;
using Xunit;

namespace Celeriac.Testing;

/// <summary>
/// What real <c>celeriac-worker</c> processes must do on every cloud transport: a SIGKILL loses nothing, a task over its
/// hard limit recycles the worker and is dead-lettered (never run twice), SIGTERM drains, and retries, exhausted
/// retries and poison messages end where they should. A broker's test project derives and says how to make a scenario.
/// </summary>
public abstract class WorkerProcessBehaviourTests
{
    protected abstract WorkerProcessScenario NewScenario();

    /// <summary>The workers' lease in the crash test: short, so the killed worker's messages come back soon.</summary>
    protected virtual string CrashLease => "00:00:02";

    /// <summary>Longer than it takes a leaked lease (or lock) to make a message visible again.</summary>
    protected virtual TimeSpan LeaseComesBackWithin => TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Sigkill_in_the_middle_of_400_tasks_loses_none()
    {
        await using var scenario = NewScenario();
        var ids = new HashSet<string>();
        // 50 ms each at concurrency 16: over a second of work, so the kill lands mid-run even where the broker is fast
        // (on SQLite 10 ms tasks were all done before the test could see 60 of them finish).
        for (var i = 0; i < 400; i++) ids.Add(await scenario.Client.EnqueueAsync(new RecordArgs(50)));

        var first = scenario.StartWorker(concurrency: 16, lease: CrashLease);
        Assert.True(await Eventually.Reached(() => scenario.Executions().Count(e => e.Event == "done") >= 60, TimeSpan.FromSeconds(60)),
            "the first worker did not get going:\n" + first.Output);
        first.Kill();
        Assert.NotNull(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var doneBeforeKill = scenario.Executions().Where(e => e.Event == "done").Select(e => e.TaskId).ToHashSet();
        Assert.True(doneBeforeKill.Count < 400, "the first worker finished everything before it was killed; the test proves nothing");

        var second = scenario.StartWorker(concurrency: 16, lease: CrashLease);
        Assert.True(await Eventually.Reached(async () =>
                scenario.Executions().Where(e => e.Event == "done").Select(e => e.TaskId).ToHashSet().Count == 400 && (await scenario.DepthAsync()).Total == 0,
            TimeSpan.FromSeconds(90)), "not every task completed:\n" + second.Output);

        var done = scenario.Executions().Where(e => e.Event == "done").ToList();
        Assert.Equal(ids, done.Select(e => e.TaskId).ToHashSet());
        Assert.Contains(done, e => e.Pid == first.Id);
        Assert.Contains(done, e => e.Pid == second.Id);
        Assert.Empty(await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None));
    }

    [Fact]
    public async Task A_task_over_its_hard_limit_recycles_the_worker_and_is_dead_lettered_not_run_twice()
    {
        await using var scenario = NewScenario();
        for (var i = 0; i < 5; i++) await scenario.Client.EnqueueAsync(new RecordArgs(10));
        var worker = scenario.StartWorker(concurrency: 4);
        // The stuck task comes once the worker runs (and the example's execution log exists), so that it records its start
        // well within its one-second hard limit.
        Assert.True(await Eventually.Reached(() => scenario.Executions().Count(e => e.Event == "done") == 5, TimeSpan.FromSeconds(60)), worker.Output);
        var stuckId = await scenario.Client.EnqueueAsync(new StuckArgs(30_000));

        Assert.Equal(WorkerExitCodes.HardTimeLimit, await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("hard time limit", worker.Output, StringComparison.Ordinal);

        var second = scenario.StartWorker(concurrency: 4);
        for (var i = 0; i < 5; i++) await scenario.Client.EnqueueAsync(new RecordArgs(10));
        Assert.True(await Eventually.Reached(() => scenario.Executions().Count(e => e.Task == "demo.record" && e.Event == "done") == 10, TimeSpan.FromSeconds(60)), second.Output);
        // A window in which a lease of the dead-lettered task, had one survived, would come back and run it again.
        await Task.Delay(LeaseComesBackWithin);
        var executions = scenario.Executions();
        Assert.True(executions.Count(e => e.TaskId == stuckId && e.Event == "started") == 1,
            string.Join("\n", executions) + "\n--- first:\n" + worker.Output + "\n--- second:\n" + second.Output);
        var dead = Assert.Single(await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None));
        Assert.Contains("hard time limit", dead.Reason, StringComparison.Ordinal);
        Assert.Equal("default", dead.Queue);
        Assert.Equal(0, (await scenario.DepthAsync()).Total);
    }

    [Fact]
    public async Task Sigterm_drains_running_tasks_and_leaves_the_rest_queued()
    {
        await using var scenario = NewScenario();
        // Long enough that a slow poll of the execution log on a loaded machine still sees the first four running.
        for (var i = 0; i < 12; i++) await scenario.Client.EnqueueAsync(new RecordArgs(6000));
        var worker = scenario.StartWorker(concurrency: 4, grace: "00:00:20");
        Assert.True(await Eventually.Reached(() => scenario.Executions().Count(e => e.Event == "started") >= 4, TimeSpan.FromSeconds(60)), worker.Output);

        worker.Terminate();
        var exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exit);
        var executions = scenario.Executions();
        var started = executions.Where(e => e.Event == "started").Select(e => e.TaskId).ToHashSet();
        var done = executions.Where(e => e.Event == "done").Select(e => e.TaskId).ToHashSet();
        Assert.True(started.Count == 4, string.Join("\n", executions) + "\n" + worker.Output);
        Assert.Equal(started, done);
        // Settling the drained messages may take the broker a moment to reflect in its counts.
        Assert.True(await Eventually.Reached(async () => await scenario.DepthAsync() == new QueueDepth(8, 0, 0), TimeSpan.FromSeconds(10)),
            $"{await scenario.DepthAsync()}\n{worker.Output}");
        Assert.Contains("Stopped fetching", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retries_succeed_exhausted_retries_and_poison_messages_are_dead_lettered_with_a_reason()
    {
        await using var scenario = NewScenario();
        var recovers = await scenario.Client.EnqueueAsync(new FlakyArgs(2));
        var fails = await scenario.Client.EnqueueAsync(new FlakyArgs(10));
        await scenario.Broker.SendAsync([new OutgoingMessage("default", Encoding.UTF8.GetBytes("{not json"))], CancellationToken.None);
        await scenario.Client.EnqueueAsync("no.such.task", new { a = 1 });
        await scenario.Client.EnqueueAsync("demo.record", new { milliseconds = "later" });
        for (var i = 0; i < 5; i++) await scenario.Client.EnqueueAsync(new RecordArgs(1));
        var worker = scenario.StartWorker();

        Assert.True(await Eventually.Reached(async () => (await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None)).Count == 4
                && scenario.Executions().Count(e => e.Event == "done") == 5
                && (await scenario.DepthAsync()).Total == 0,
            TimeSpan.FromSeconds(60)), worker.Output);

        var letters = await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None);
        Assert.Contains(letters, d => d.Reason.Contains("max retries (3) exceeded", StringComparison.Ordinal) && Encoding.UTF8.GetString(d.Body.Span).Contains(fails, StringComparison.Ordinal));
        Assert.Contains(letters, d => d.Reason.Contains("unparseable", StringComparison.Ordinal));
        Assert.Contains(letters, d => d.Reason.Contains("unknown task 'no.such.task'", StringComparison.Ordinal));
        Assert.Contains(letters, d => d.Reason.Contains("args do not bind to RecordArgs", StringComparison.Ordinal));
        Assert.DoesNotContain(letters, d => Encoding.UTF8.GetString(d.Body.Span).Contains(recovers, StringComparison.Ordinal));
        Assert.All(letters, d => Assert.Equal("default", d.Queue));
        Assert.False(worker.HasExited);
    }
}
