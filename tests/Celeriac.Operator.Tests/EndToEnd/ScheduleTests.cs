using System.Globalization;
using System.Text.Json.Nodes;
using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.Hosting;
using Celeriac.Operator.Kubernetes;
using Xunit.Abstractions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>
/// The operator's scheduler against the fake API server, enqueueing into a real SQLite broker file that the
/// test reads (as workers would): one enqueue per slot with two operators, restarts, missed runs, suspend.
/// </summary>
public sealed class ScheduleTests(ITestOutputHelper log) : OperatorTestBase, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("celeriac-schedules-").FullName;
    private readonly List<ServiceProvider> _readers = [];

    private string DatabasePath => Path.Combine(_directory, "broker.db");

    private Dictionary<string, string?> BrokerOverrides => new()
    {
        ["Celeriac:Broker:Type"] = "sqlite",
        ["Celeriac:Broker:Sqlite:Path"] = DatabasePath,
    };

    private static readonly Dictionary<string, string?> FastScheduler = new() { ["Operator:SchedulerPollPeriod"] = "00:00:00.200" };

    private Task<OperatorInstance> StartSchedulingOperatorAsync(bool leaderElection = false, string? identity = null) =>
        StartOperatorAsync(leaderElection, identity, brokerOverrides: BrokerOverrides, settings: FastScheduler);

    private static string Queue(string schedules) => TestQueues.Sample + "\n  schedules:\n" + schedules;

    /// <summary>Every message on the queue so far, read (and leased) through the same SQLite file.</summary>
    private async Task<List<TaskEnvelope>> DrainAsync(string queue = "bulk")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(BrokerOverrides).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCeleriac(configuration, c => c.UseBrokerFromConfiguration());
        var provider = services.BuildServiceProvider();
        _readers.Add(provider);
        var messages = await provider.GetRequiredService<IBroker>().ReceiveAsync([queue], 1000, TimeSpan.FromHours(1), TimeSpan.Zero, CancellationToken.None);
        return [.. messages.Select(m => EnvelopeSerializer.Deserialize(m.Body.Span))];
    }

    private JsonNode? ScheduleStatus(string name) =>
        TaskQueue("billing")?["status"]?["schedules"]?.AsArray().FirstOrDefault(s => s?["name"]?.GetValue<string>() == name);

    private static DateTimeOffset Slot(TaskEnvelope envelope) =>
        DateTimeOffset.Parse(envelope.GetHeader("celeriac-schedule-slot")!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    /// <summary>Slots must be consecutive multiples of the interval, each once.</summary>
    private static void AssertOnePerSlot(IReadOnlyList<TaskEnvelope> runs, TimeSpan interval)
    {
        var slots = runs.Select(Slot).Order().ToList();
        Assert.Equal(slots.Count, slots.Distinct().Count());
        Assert.Equal(runs.Count, runs.Select(r => r.Id).Distinct().Count());
        for (var i = 1; i < slots.Count; i++) Assert.Equal(interval, slots[i] - slots[i - 1]);
    }

    [Fact]
    public async Task Of_two_operators_only_the_leader_enqueues_one_run_per_slot_and_records_it_in_status()
    {
        await StartSchedulingOperatorAsync(leaderElection: true, identity: "operator-a");
        await StartSchedulingOperatorAsync(leaderElection: true, identity: "operator-b");
        await CreateAsync(Queue("""
                - { name: tick, task: demo.noop, interval: 2s, queue: bulk, args: { n: 1 }, expires: 1m }
            """));
        await Eventually.Until(() => ScheduleStatus("tick")?["lastTaskId"] is not null, "a first run is recorded");
        var first = DateTimeOffset.Parse(ScheduleStatus("tick")!["lastScheduleTime"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        await Eventually.Until(() => ScheduleStatus("tick")?["lastScheduleTime"]?.GetValue<string>() is { } last
            && DateTimeOffset.Parse(last, CultureInfo.InvariantCulture) >= first.AddSeconds(6), "three more slots pass");

        var runs = await DrainAsync();
        Assert.True(runs.Count >= 4, $"{runs.Count} runs");
        AssertOnePerSlot(runs, TimeSpan.FromSeconds(2));
        Assert.All(runs, r => Assert.Equal("demo.noop", r.Task));
        Assert.All(runs, r => Assert.Equal(1, r.Args.GetProperty("n").GetInt32()));
        Assert.All(runs, r => Assert.NotNull(r.Expires));
        // The scheduler sleeps until the next slot: each run is enqueued right after its slot.
        var lateness = runs.Select(r => r.Created - Slot(r)).ToList();
        log.WriteLine($"enqueue lateness after the slot: max {lateness.Max().TotalMilliseconds:F0} ms, mean {lateness.Average(l => l.TotalMilliseconds):F0} ms over {runs.Count} runs");
        Assert.All(lateness, l => Assert.InRange(l, TimeSpan.Zero, TimeSpan.FromSeconds(5)));
        // The scheduler's status lives beside the reconciler's, neither clobbering the other.
        Assert.Equal("True", ConditionStatus("billing", "Reconciled"));
        Assert.NotNull(ScheduleStatus("tick")!["nextScheduleTime"]);
        Assert.Contains(runs, r => r.Id == ScheduleStatus("tick")!["lastTaskId"]!.GetValue<string>()
            || Slot(r) < DateTimeOffset.Parse(ScheduleStatus("tick")!["lastScheduleTime"]!.GetValue<string>(), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_restarted_operator_continues_from_the_status_without_skipping_or_repeating_a_slot()
    {
        var first = await StartSchedulingOperatorAsync(identity: "operator-a");
        await CreateAsync(Queue("""
                - { name: tick, task: demo.noop, interval: 3s, queue: bulk }
            """));
        await Eventually.Until(() => ScheduleStatus("tick")?["lastTaskId"] is not null, "a first run is recorded");
        await StopOperatorAsync(first);
        var recorded = ScheduleStatus("tick")!["lastScheduleTime"]!.GetValue<string>();

        // The same identity again: the claims still tell this life from the last one.
        await StartSchedulingOperatorAsync(identity: "operator-a");
        await Eventually.Until(() => ScheduleStatus("tick")?["lastScheduleTime"]?.GetValue<string>() is { } last
            && DateTimeOffset.Parse(last, CultureInfo.InvariantCulture) >= DateTimeOffset.Parse(recorded, CultureInfo.InvariantCulture).AddSeconds(6),
            "two slots after the restart are run");
        var runs = await DrainAsync();
        AssertOnePerSlot(runs, TimeSpan.FromSeconds(3));
        Assert.Contains(runs, r => Slot(r) == DateTimeOffset.Parse(recorded, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_run_whose_status_write_failed_is_not_enqueued_again_by_the_same_or_the_next_operator()
    {
        await CreateAsync(Queue("""
                - { name: tick, task: demo.noop, interval: 1h, queue: bulk, missedRunPolicy: RunOnce }
            """));
        // This hour's slot is due (RunOnce: however late).
        var slot = new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero);
        await WriteScheduleStatusAsync(new JsonObject { ["name"] = "tick", ["nextScheduleTime"] = slot.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) });
        // Every status write of the scheduler fails, as if the operator died (or the API server refused) right after the enqueue.
        var failing = true;
        Api.Fail(r => Volatile.Read(ref failing) && r.Method == "PATCH" && r.Path.Value!.EndsWith("/status", StringComparison.Ordinal)
            && r.Query["fieldManager"] == "celeriac-operator-scheduler", 500, int.MaxValue);
        var a = await StartSchedulingOperatorAsync(identity: "operator-a");
        // Passes retry every 200 ms from the unchanged status; the same run must not be sent again.
        await Eventually.Until(() => Api.Requests.Count(r => r.StartsWith("PATCH", StringComparison.Ordinal) && r.Contains("celeriac-operator-scheduler", StringComparison.Ordinal)) >= 5,
            "the status write was tried several times");
        await StopOperatorAsync(a);
        Assert.Null(ScheduleStatus("tick")?["lastTaskId"]);
        var runs = await DrainAsync();
        Assert.Equal(slot, Slot(Assert.Single(runs)));

        Volatile.Write(ref failing, false);
        await StartSchedulingOperatorAsync(identity: "operator-a");
        await Eventually.Until(() => ScheduleStatus("tick")?["lastTaskId"] is not null, "the run is recorded by the next life");
        Assert.Equal(runs[0].Id, ScheduleStatus("tick")!["lastTaskId"]!.GetValue<string>());
        Assert.Empty(await DrainAsync());
    }

    [Theory]
    [InlineData("Skip", null, false)]
    [InlineData("RunOnce", null, true)]
    [InlineData("RunOnce", "5m", false)]
    [InlineData("RunOnce", "15m", true)]
    public async Task After_downtime_the_missed_run_policy_decides_whether_one_catch_up_runs(string policy, string? deadline, bool runs)
    {
        // A daily slot ten minutes ago, last handled a day before: the operator was down when it passed.
        var now = DateTimeOffset.UtcNow;
        var slot = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(-10);
        var cron = string.Create(CultureInfo.InvariantCulture, $"{slot.Minute} {slot.Hour} * * *");
        await CreateAsync(Queue($$"""
                - { name: daily, task: demo.noop, cron: "{{cron}}", queue: bulk, missedRunPolicy: {{policy}}{{(deadline is null ? "" : $", startingDeadline: {deadline}")}} }
            """));
        await WriteScheduleStatusAsync(new JsonObject
        {
            ["name"] = "daily",
            ["lastScheduleTime"] = slot.AddDays(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        });
        await StartSchedulingOperatorAsync();
        await Eventually.Until(() => ScheduleStatus("daily")?["nextScheduleTime"]?.GetValue<string>() is { } next
            && DateTimeOffset.Parse(next, CultureInfo.InvariantCulture) > now, "the missed slot is handled");
        var enqueued = await DrainAsync();
        if (runs)
        {
            Assert.Equal(slot, Slot(Assert.Single(enqueued)));
            Assert.Equal(slot.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), ScheduleStatus("daily")!["lastScheduleTime"]!.GetValue<string>());
        }
        else
        {
            Assert.Empty(enqueued);
            await Eventually.Until(() => Api.List("v1", "events", "shop").Any(e => e["reason"]?.GetValue<string>() == "MissedSchedule"), "a MissedSchedule Event");
        }
    }

    [Fact]
    public async Task A_suspended_schedule_enqueues_nothing_but_keeps_its_next_slot_current()
    {
        await StartSchedulingOperatorAsync();
        await CreateAsync(Queue("""
                - { name: tick, task: demo.noop, interval: 1s, queue: bulk, suspend: true }
            """));
        await Eventually.Until(() => ScheduleStatus("tick")?["nextScheduleTime"] is not null, "the schedule is seen");
        var seen = ScheduleStatus("tick")!["nextScheduleTime"]!.GetValue<string>();
        await Eventually.Until(() => ScheduleStatus("tick")?["nextScheduleTime"]?.GetValue<string>() != seen, "its next slot moves on");
        Assert.Empty(await DrainAsync());
        Assert.Null(ScheduleStatus("tick")!["lastTaskId"]);

        await UpdateSpecAsync("shop", "billing", spec => spec["schedules"]![0]!["suspend"] = false);
        await Eventually.Until(() => ScheduleStatus("tick")?["lastTaskId"] is not null, "resumed, it runs");
    }

    [Fact]
    public async Task A_failing_enqueue_is_reported_as_an_Event_and_retried()
    {
        // The broker "file" is a directory: every open fails.
        await StartOperatorAsync(brokerOverrides: new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Type"] = "sqlite",
            ["Celeriac:Broker:Sqlite:Path"] = _directory,
        }, settings: FastScheduler);
        await CreateAsync(Queue("""
                - { name: tick, task: demo.noop, interval: 1s, queue: bulk }
            """));
        await Eventually.Until(() => Api.List("v1", "events", "shop").Any(e => e["reason"]?.GetValue<string>() == "ScheduleFailed"), "a ScheduleFailed Event");
        var ev = Api.List("v1", "events", "shop").First(e => e["reason"]?.GetValue<string>() == "ScheduleFailed");
        Assert.Equal("Warning", ev["type"]!.GetValue<string>());
        Assert.Contains("tick", ev["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(ScheduleStatus("tick")?["lastTaskId"]);
    }

    private async Task WriteScheduleStatusAsync(JsonObject entry)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "celeriac.io/v1alpha1",
            ["kind"] = "TaskQueue",
            ["metadata"] = new JsonObject { ["name"] = "billing", ["namespace"] = "shop" },
            ["status"] = new JsonObject { ["schedules"] = new JsonArray(entry) },
        };
        await Kubectl.ApplyStatusAsync(ResourceTypes.TaskQueues, body, "celeriac-operator-scheduler", CancellationToken.None);
    }

    public void Dispose()
    {
        foreach (var reader in _readers) reader.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
