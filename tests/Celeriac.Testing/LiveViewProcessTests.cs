using System.Diagnostics;
using Celeriac.Examples;
using Celeriac.Examples.Tasks;
using Xunit;

namespace Celeriac.Testing;

/// <summary>
/// <c>celeriac inspect</c> and <c>celeriac control</c> against real worker processes, through the store they share: the
/// running tasks of every live worker are listed, and a rate-limit change reaches every worker within seconds and holds
/// across them. A store's class says how the scenario and the CLI reach it.
/// </summary>
public abstract class LiveViewProcessTests
{
    protected abstract WorkerProcessScenario NewScenario();

    /// <summary>Runs the <c>celeriac</c> CLI in process with <paramref name="args"/>, reaching the scenario's broker and store.</summary>
    protected abstract Task<(int Code, string Out, string Err)> RunCliAsync(WorkerProcessScenario scenario, string[] args);

    private Task<(int Code, string Out, string Err)> CliAsync(WorkerProcessScenario scenario, params string[] args) => RunCliAsync(scenario, args);

    private async Task<bool> TwoWorkersListedAsync(WorkerProcessScenario scenario) =>
        (await CliAsync(scenario, "inspect", "workers")).Out.Contains("2 live workers", StringComparison.Ordinal);

    [Fact]
    public async Task Inspect_lists_the_workers_and_the_task_each_runs_and_result_shows_its_progress()
    {
        await using var scenario = NewScenario();
        var first = scenario.StartWorker(concurrency: 2);
        var second = scenario.StartWorker(concurrency: 2);
        Assert.True(await Eventually.Reached(() => TwoWorkersListedAsync(scenario), TimeSpan.FromSeconds(60)), first.Output + second.Output);

        var id = await scenario.Client.EnqueueAsync(new RecordArgs(20_000));
        string active = "";
        Assert.True(await Eventually.Reached(async () => (active = (await CliAsync(scenario, "inspect", "active")).Out).Contains(id, StringComparison.Ordinal),
            TimeSpan.FromSeconds(30)), active + first.Output + second.Output);
        var line = active.Split('\n').Single(l => l.Contains(id, StringComparison.Ordinal));
        Assert.Contains("demo.record", line, StringComparison.Ordinal);
        Assert.Contains("1 running on 2 live workers", active, StringComparison.Ordinal);
        var runner = scenario.Executions().Single(e => e.TaskId == id && e.Event == "started").Pid;
        Assert.Contains($":{runner}:", line, StringComparison.Ordinal);

        var (registeredCode, registered, _) = await CliAsync(scenario, "inspect", "registered");
        Assert.Equal(0, registeredCode);
        Assert.Equal(2, registered.Split('\n').Count(l => l.Contains("demo.record", StringComparison.Ordinal)));
        Assert.Contains("demo.slow", registered, StringComparison.Ordinal);

        var (statsCode, stats, _) = await CliAsync(scenario, "inspect", "stats");
        Assert.Equal(0, statsCode);
        Assert.Contains("total: 2 live workers, 4 slots, 1 running", stats, StringComparison.Ordinal);

        // The task reports progress halfway; the index has it within its flush interval.
        string progress = "";
        Assert.True(await Eventually.Reached(async () =>
                (progress = (await CliAsync(scenario, "result", id)).Out).Contains("progress 50% waiting 20000 ms", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15)), progress);
        Assert.Contains("demo.record started", progress, StringComparison.Ordinal);
        var (resultCode, _, resultError) = await CliAsync(scenario, "result", id);
        Assert.Equal(1, resultCode);
        Assert.Contains("No result", resultError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rate_limit_set_through_control_is_applied_by_every_worker_within_seconds_and_holds_across_them()
    {
        await using var scenario = NewScenario();
        var first = scenario.StartWorker(concurrency: 4);
        var second = scenario.StartWorker(concurrency: 4);
        Assert.True(await Eventually.Reached(() => TwoWorkersListedAsync(scenario), TimeSpan.FromSeconds(60)), first.Output + second.Output);

        var clock = Stopwatch.StartNew();
        var (code, output, error) = await CliAsync(scenario, "control", "rate-limit", "demo.record", "2/s");
        var acknowledgedIn = clock.Elapsed;
        Assert.True(code == 0, output + error + first.Output + second.Output);
        Assert.Contains("applied by 2 of 2 workers", output, StringComparison.Ordinal);
        Assert.True(acknowledgedIn < TimeSpan.FromSeconds(5), $"acknowledged after {acknowledgedIn}");
        Assert.Contains("2/s", (await CliAsync(scenario, "inspect", "registered")).Out, StringComparison.Ordinal);

        var ids = new HashSet<string>();
        for (var i = 0; i < 12; i++) ids.Add(await scenario.Client.EnqueueAsync(new RecordArgs(1)));
        Assert.True(await Eventually.Reached(() => scenario.Executions().Count(e => ids.Contains(e.TaskId) && e.Event == "done") == 12, TimeSpan.FromSeconds(60)),
            first.Output + second.Output);

        // 2/s across both workers: 12 starts take at least 5.5 s, and no second holds more than 2 (+1 for the edges).
        var starts = ExecutionLog.ReadTimes(scenario.ExecutionLogPath, "started").Where(s => ids.Contains(s.TaskId)).ToList();
        Assert.Equal(12, starts.Count);
        Assert.Equal(2, starts.Select(s => s.Pid).Distinct().Count());
        var span = starts[^1].At - starts[0].At;
        Assert.True(span >= TimeSpan.FromSeconds(4.5), $"12 starts within {span}");
        foreach (var start in starts)
            Assert.True(starts.Count(s => s.At >= start.At && s.At < start.At.AddSeconds(1)) <= 3, string.Join("\n", starts));

        // Back to the configured limit (none): acknowledged too.
        var (resetCode, reset, _) = await CliAsync(scenario, "control", "rate-limit", "demo.record", "--reset");
        Assert.Equal(0, resetCode);
        Assert.Contains("applied by 2 of 2 workers", reset, StringComparison.Ordinal);
        Assert.DoesNotContain("2/s", (await CliAsync(scenario, "inspect", "registered")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_refuses_bad_input_and_shutdown_stops_a_worker_cleanly()
    {
        await using var scenario = NewScenario();
        var worker = scenario.StartWorker(concurrency: 2);
        string workers = "";
        Assert.True(await Eventually.Reached(async () => (workers = (await CliAsync(scenario, "inspect", "workers")).Out).Contains("1 live workers", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60)), worker.Output);
        // Once the broker exists (the CLI refuses a SQLite file that does not), a bad limit is a user error that changes nothing.
        var (badCode, _, badError) = await CliAsync(scenario, "control", "rate-limit", "demo.record", "fast");
        Assert.Equal(2, badCode);
        Assert.Contains("not of the form N/s", badError, StringComparison.Ordinal);
        var (code, output, _) = await CliAsync(scenario, "control", "shutdown", "--all");
        Assert.True(code == 0, output + worker.Output);
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await Eventually.Reached(async () => (await CliAsync(scenario, "inspect", "workers")).Out.Contains("0 live workers, 1 lost or stopped", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10)));
    }
}
