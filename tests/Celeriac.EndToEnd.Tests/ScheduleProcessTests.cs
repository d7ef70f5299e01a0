using System.Text.RegularExpressions;
using Celeriac.Hosting;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>The worker host's scheduler on a laptop: several celeriac-worker processes on one SQLite file enqueue each run once.</summary>
public sealed partial class ScheduleProcessTests
{
    private static readonly Dictionary<string, string> Schedule = new()
    {
        ["Celeriac__Schedules__tick__Task"] = "demo.record",
        ["Celeriac__Schedules__tick__Interval"] = "00:00:01",
        ["Celeriac__Schedules__tick__Args"] = """{"milliseconds": 0}""",
        ["Celeriac__Scheduler__PollPeriod"] = "00:00:00.200",
        ["Celeriac__Scheduler__LockTtl"] = "00:00:03",
    };

    private static List<string> Enqueued(LocalWorkerProcess worker) => [.. EnqueuedPattern().Matches(worker.Output).Select(m => m.Groups[1].Value)];

    [Fact]
    public async Task Two_workers_on_one_file_enqueue_each_slot_once_and_the_other_takes_over_when_the_scheduler_dies()
    {
        await using var scenario = new Scenario();
        var a = scenario.StartWorker(extra: Schedule);
        var b = scenario.StartWorker(extra: Schedule);
        var workers = new[] { a, b };
        Assert.True(await Eventually.Reached(() => workers.Sum(w => Enqueued(w).Count) >= 5, TimeSpan.FromSeconds(60)), "five runs are enqueued");
        var scheduling = workers.Where(w => Enqueued(w).Count > 0).ToList();
        Assert.Single(scheduling);
        var (leader, other) = scheduling[0] == a ? (a, b) : (b, a);

        leader.Kill();
        await leader.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var before = Enqueued(leader);
        Assert.True(await Eventually.Reached(() => Enqueued(other).Count >= 3, TimeSpan.FromSeconds(60)), "the other worker takes over the schedule");

        var all = before.Concat(Enqueued(other)).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        // Every enqueued run is executed, each once by id.
        Assert.True(await Eventually.Reached(() => Enqueued(other).All(id => scenario.Executions().Any(e => e.TaskId == id && e.Event == "done")), TimeSpan.FromSeconds(60)));
    }

    [GeneratedRegex("Schedule tick: enqueued demo.record as ([0-9a-f-]{36})")]
    private static partial Regex EnqueuedPattern();
}
