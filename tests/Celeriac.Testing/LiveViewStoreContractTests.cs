using Celeriac.Control;
using Celeriac.Registry;
using Celeriac.TaskIndex;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Celeriac.Testing;

/// <summary>
/// The behaviour every store's worker registry, control settings and recent-tasks index must show, whatever the backend.
/// A store's test project derives from this class and provides <see cref="CreateStore"/>: a fresh store per test (these
/// features keep one structure per store, not one per key), shared by the providers of that test as by processes.
/// </summary>
public abstract class LiveViewStoreContractTests : IAsyncLifetime
{
    private readonly List<IServiceProvider> _stores = [];

    /// <summary>The store as one process sees it; providers of one test share their data, as processes do.</summary>
    protected abstract IServiceProvider CreateStore();

    protected virtual TimeSpan Patience => TimeSpan.FromSeconds(20);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores.Distinct().OfType<IAsyncDisposable>()) await store.DisposeAsync();
        _stores.Clear();
    }

    private T NewStore<T>() where T : notnull
    {
        var store = CreateStore();
        _stores.Add(store);
        return store.GetRequiredService<T>();
    }

    private static CancellationToken None => CancellationToken.None;

    private static WorkerInfo Worker(string id, long processed = 0) => new()
    {
        Id = id,
        Host = "node-1",
        Pid = 4242,
        Version = "1.2.3",
        Queues = ["urgent", "default"],
        Concurrency = 8,
        InFlight = [new RunningTask("t-1", "emails.send", "default", 1, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000))],
        InFlightCount = 1,
        Processed = processed,
        StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_699_999_000_000),
        HeartbeatAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_001_000),
        ControlVersion = 7,
        PausedQueues = ["default"],
        Tasks =
        [
            new RegisteredTask("emails.send", "default", "10/s", TimeSpan.FromSeconds(30), null, 5, true, false)
            {
                Lock = "SkipAtEnqueue",
                LockKeyFields = ["customerId"],
                Expires = TimeSpan.FromHours(1),
            },
        ],
    };

    [Fact]
    public async Task Workers_see_each_others_entries_whole()
    {
        var first = NewStore<IWorkerRegistry>();
        var second = NewStore<IWorkerRegistry>();
        await first.HeartbeatAsync(Worker("a"), TimeSpan.FromMinutes(1), None);
        await second.HeartbeatAsync(Worker("b"), TimeSpan.FromMinutes(1), None);

        var listed = (await first.ListAsync(None)).OrderBy(w => w.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(["a", "b"], listed.Select(w => w.Id));
        var a = listed[0];
        var expected = Worker("a");
        Assert.Equal(expected.Queues, a.Queues);
        Assert.Equal(expected.InFlight, a.InFlight);
        Assert.Equal(expected.PausedQueues, a.PausedQueues);
        Assert.Equal(7, a.ControlVersion);
        Assert.Equal(expected.HeartbeatAt, a.HeartbeatAt);
        // A task's options, as a producer without its code reads them to route and lock it.
        var task = Assert.Single(a.Tasks);
        Assert.Equal(expected.Tasks[0] with { LockKeyFields = task.LockKeyFields }, task);
        Assert.Equal(["customerId"], task.LockKeyFields);
        Assert.Equal("SkipAtEnqueue", task.Lock);
    }

    [Fact]
    public async Task A_heartbeat_replaces_the_workers_entry()
    {
        var registry = NewStore<IWorkerRegistry>();
        await registry.HeartbeatAsync(Worker("a", processed: 1), TimeSpan.FromMinutes(1), None);
        await registry.HeartbeatAsync(Worker("a", processed: 2), TimeSpan.FromMinutes(1), None);
        var entry = Assert.Single(await NewStore<IWorkerRegistry>().ListAsync(None));
        Assert.Equal(2, entry.Processed);
    }

    [Fact]
    public async Task An_entry_not_renewed_disappears()
    {
        var registry = NewStore<IWorkerRegistry>();
        await registry.HeartbeatAsync(Worker("brief"), TimeSpan.FromMilliseconds(300), None);
        await registry.HeartbeatAsync(Worker("lasting"), TimeSpan.FromMinutes(1), None);
        Assert.Equal(2, (await registry.ListAsync(None)).Count);
        await Eventually.Until(async () => (await registry.ListAsync(None)).All(w => w.Id != "brief"), "the entry not renewed is gone", Patience);
        Assert.Equal("lasting", Assert.Single(await registry.ListAsync(None)).Id);
    }

    [Fact]
    public async Task Control_settings_move_the_version_on_and_reach_every_reader()
    {
        var writer = NewStore<IControlStore>();
        var reader = NewStore<IControlStore>();
        var empty = await reader.GetAsync(-1, None);
        Assert.True(empty is null || empty.Entries.Count == 0);

        var v1 = await writer.SetAsync("rate-limit:emails.send", "5/s", None);
        var v2 = await writer.SetAsync("paused:bulk", "2026-01-01T00:00:00Z", None);
        Assert.True(v2 > v1, $"{v2} > {v1}");
        var snapshot = await reader.GetAsync(0, None);
        Assert.NotNull(snapshot);
        Assert.Equal(v2, snapshot.Version);
        Assert.Equal("5/s", snapshot.Entries["rate-limit:emails.send"]);
        Assert.Equal(2, snapshot.Entries.Count);
        // Nothing changed since v2: the reader learns that without reading the map.
        Assert.Null(await reader.GetAsync(v2, None));

        var v3 = await writer.SetAsync("rate-limit:emails.send", null, None);
        Assert.True(v3 > v2);
        var after = await reader.GetAsync(v2, None);
        Assert.NotNull(after);
        Assert.Equal(v3, after.Version);
        Assert.Equal(["paused:bulk"], after.Entries.Keys);
        var settings = ControlSettings.From(after);
        Assert.True(settings.PausedQueues.ContainsKey("bulk"));
        Assert.Empty(settings.RateLimits);
    }

    // Stores keep times to the millisecond.
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds());
    private static readonly TaskIndexLimits Roomy = new(10_000, TimeSpan.FromDays(1));

    private static TaskEvent Enqueued(string id, string name, DateTimeOffset at, string? args = "{\"n\":1}") =>
        new(id, TaskState.Queued, at) { TaskName = name, Queue = "default", EnqueuedAt = at, Args = args, TraceId = "trace-" + id };

    private static TaskEvent Started(string id, string name, DateTimeOffset at, int attempt = 0) =>
        new(id, TaskState.Started, at) { TaskName = name, Queue = "default", Attempt = attempt, Worker = "w-1", StartedAt = at };

    private static TaskEvent Ended(string id, string name, TaskState state, DateTimeOffset at, int attempt = 0, string? exception = null) =>
        new(id, state, at)
        {
            TaskName = name, Queue = "default", Attempt = attempt, Worker = "w-1", FinishedAt = at, DurationMs = 12.5,
            ExceptionType = exception, ExceptionMessage = exception is null ? null : "it broke",
        };

    [Fact]
    public async Task The_index_merges_a_tasks_events_by_rank_whatever_the_order_they_arrive()
    {
        var worker = NewStore<ITaskIndex>();
        var producer = NewStore<ITaskIndex>();
        // The worker flushes its start and end before the producer flushes the enqueue.
        await worker.RecordAsync([Started("t1", "emails.send", T0.AddSeconds(1))], [], Roomy, None);
        await worker.RecordAsync([Ended("t1", "emails.send", TaskState.Succeeded, T0.AddSeconds(2))], [], Roomy, None);
        await producer.RecordAsync([Enqueued("t1", "emails.send", T0)], [], Roomy, None);

        var record = await NewStore<ITaskIndex>().GetAsync("t1", None);
        Assert.NotNull(record);
        Assert.Equal(TaskState.Succeeded, record.State);
        Assert.Equal("emails.send", record.TaskName);
        Assert.Equal("w-1", record.Worker);
        Assert.Equal(T0, record.EnqueuedAt);
        Assert.Equal(T0.AddSeconds(1), record.StartedAt);
        Assert.Equal(T0.AddSeconds(2), record.FinishedAt);
        Assert.Equal(T0.AddSeconds(2), record.UpdatedAt);
        Assert.Equal(12.5, record.DurationMs);
        Assert.Equal("{\"n\":1}", record.Args);
        Assert.Equal("trace-t1", record.TraceId);
        Assert.Null(await worker.GetAsync("unknown", None));
    }

    [Fact]
    public async Task A_retry_starts_a_new_attempt_and_a_failure_keeps_its_exception()
    {
        var index = NewStore<ITaskIndex>();
        await index.RecordAsync(
        [
            Enqueued("t2", "reports.build", T0),
            Started("t2", "reports.build", T0.AddSeconds(1)),
            Ended("t2", "reports.build", TaskState.Retried, T0.AddSeconds(2), exception: "System.TimeoutException"),
            Started("t2", "reports.build", T0.AddSeconds(3), attempt: 1),
        ], [], Roomy, None);
        var running = await index.GetAsync("t2", None);
        Assert.NotNull(running);
        Assert.Equal(TaskState.Started, running.State);
        Assert.Equal(1, running.Attempt);
        Assert.Null(running.FinishedAt);

        // A late duplicate of the first attempt's end changes nothing.
        await index.RecordAsync([Ended("t2", "reports.build", TaskState.Retried, T0.AddSeconds(2), exception: "System.TimeoutException")], [], Roomy, None);
        Assert.Equal(TaskState.Started, (await index.GetAsync("t2", None))!.State);

        await index.RecordAsync([Ended("t2", "reports.build", TaskState.Failed, T0.AddSeconds(4), attempt: 1, exception: "System.InvalidOperationException")], [], Roomy, None);
        var failed = await index.GetAsync("t2", None);
        Assert.Equal(TaskState.Failed, failed!.State);
        Assert.Equal("System.InvalidOperationException", failed.ExceptionType);
        Assert.Equal("it broke", failed.ExceptionMessage);
    }

    [Fact]
    public async Task Progress_and_masked_args_are_kept()
    {
        var index = NewStore<ITaskIndex>();
        await index.RecordAsync([Enqueued("t3", "imports.run", T0), Started("t3", "imports.run", T0.AddSeconds(1))], [], Roomy, None);
        await index.RecordAsync([new TaskEvent("t3", null, T0.AddSeconds(2)) { Progress = 0.25, ProgressMessage = "row 250 of 1000" }], [], Roomy, None);
        var record = await index.GetAsync("t3", None);
        Assert.Equal(0.25, record!.Progress);
        Assert.Equal("row 250 of 1000", record.ProgressMessage);
        Assert.Equal(TaskState.Started, record.State);

        await index.RecordAsync([Enqueued("t4", "secrets.rotate", T0) with { Args = null, ArgsMasked = true }], [], Roomy, None);
        // A worker's start event of a masked task carries no args; a record once masked never takes any.
        await index.RecordAsync([Started("t4", "secrets.rotate", T0.AddSeconds(1)) with { Args = "{\"key\":\"s3cr3t\"}" }], [], Roomy, None);
        var masked = await index.GetAsync("t4", None);
        Assert.True(masked!.ArgsMasked);
        Assert.Null(masked.Args);
    }

    [Fact]
    public async Task A_replayed_task_starts_its_record_over()
    {
        var index = NewStore<ITaskIndex>();
        await index.RecordAsync(
        [
            Enqueued("t5", "emails.send", T0),
            Ended("t5", "emails.send", TaskState.Failed, T0.AddSeconds(1), attempt: 3, exception: "System.Exception"),
        ], [], Roomy, None);
        await index.RecordAsync([new TaskEvent("t5", TaskState.Queued, T0.AddSeconds(5)) { TaskName = "emails.send", EnqueuedAt = T0.AddSeconds(5), Reset = true }], [], Roomy, None);
        var record = await index.GetAsync("t5", None);
        Assert.Equal(TaskState.Queued, record!.State);
        Assert.Equal(0, record.Attempt);
        Assert.Null(record.FinishedAt);
        Assert.Equal(T0.AddSeconds(5), record.EnqueuedAt);
        // The new run's first attempt now counts: its start is not outranked by the old failure.
        await index.RecordAsync([Started("t5", "emails.send", T0.AddSeconds(6))], [], Roomy, None);
        Assert.Equal(TaskState.Started, (await index.GetAsync("t5", None))!.State);
    }

    [Fact]
    public async Task Search_is_newest_first_by_name_state_and_time_within_its_limit()
    {
        var index = NewStore<ITaskIndex>();
        var events = new List<TaskEvent>();
        for (var i = 0; i < 12; i++)
        {
            var name = i % 2 == 0 ? "even.task" : "odd.task";
            var at = T0.AddSeconds(i);
            events.Add(i % 3 == 0 ? Ended($"s{i}", name, TaskState.Succeeded, at) with { EnqueuedAt = at } : Enqueued($"s{i}", name, at));
        }
        await index.RecordAsync(events, [], Roomy, None);

        var reader = NewStore<ITaskIndex>();
        Assert.Equal(["s11", "s10", "s9"], (await reader.SearchAsync(new TaskQuery { Limit = 3 }, None)).Select(r => r.TaskId));
        Assert.Equal(["s10", "s8", "s6", "s4", "s2", "s0"], (await reader.SearchAsync(new TaskQuery { TaskName = "even.task" }, None)).Select(r => r.TaskId));
        Assert.Equal(["s9", "s6", "s3", "s0"], (await reader.SearchAsync(new TaskQuery { State = TaskState.Succeeded }, None)).Select(r => r.TaskId));
        Assert.Equal(["s9", "s3"], (await reader.SearchAsync(new TaskQuery { TaskName = "odd.task", State = TaskState.Succeeded }, None)).Select(r => r.TaskId));
        // A time window, and the next page after a cursor.
        Assert.Equal(["s7", "s6", "s5"], (await reader.SearchAsync(new TaskQuery { Since = T0.AddSeconds(5), Until = T0.AddSeconds(8) }, None)).Select(r => r.TaskId));
        Assert.Equal(["s8", "s7"], (await reader.SearchAsync(new TaskQuery { Until = T0.AddSeconds(9), Limit = 2 }, None)).Select(r => r.TaskId));
        Assert.Empty(await reader.SearchAsync(new TaskQuery { TaskName = "no.such.task" }, None));

        // A task that moves state leaves the old state's results.
        await index.RecordAsync([Started("s10", "even.task", T0.AddSeconds(20))], [], Roomy, None);
        Assert.DoesNotContain("s10", (await reader.SearchAsync(new TaskQuery { State = TaskState.Queued }, None)).Select(r => r.TaskId));
        Assert.Equal("s10", (await reader.SearchAsync(new TaskQuery { State = TaskState.Started }, None)).Single().TaskId);
    }

    [Fact]
    public async Task The_index_keeps_the_newest_within_its_count_and_age()
    {
        var index = NewStore<ITaskIndex>();
        var limits = new TaskIndexLimits(5, TimeSpan.FromDays(1));
        var now = DateTimeOffset.UtcNow;
        for (var batch = 0; batch < 4; batch++)
            await index.RecordAsync([.. Enumerable.Range(batch * 3, 3).Select(i => Enqueued($"k{i}", "bulk.task", now.AddSeconds(-100 + i)))], [], limits, None);
        var kept = (await index.SearchAsync(new TaskQuery { Limit = 100 }, None)).Select(r => r.TaskId).ToList();
        Assert.Equal(["k11", "k10", "k9", "k8", "k7"], kept);
        Assert.Null(await index.GetAsync("k0", None));
        Assert.Empty(await index.SearchAsync(new TaskQuery { TaskName = "bulk.task", Until = now.AddSeconds(-93) }, None));

        // By age: a record last updated before the window is dropped at the next write.
        var aged = new TaskIndexLimits(100, TimeSpan.FromMinutes(1));
        await index.RecordAsync([Enqueued("old", "bulk.task", now.AddMinutes(-10))], [], aged, None);
        await index.RecordAsync([Enqueued("fresh", "bulk.task", now)], [], aged, None);
        Assert.Null(await index.GetAsync("old", None));
        Assert.NotNull(await index.GetAsync("fresh", None));
    }

    [Fact]
    public async Task Activity_is_counted_per_minute_name_and_state()
    {
        var first = NewStore<ITaskIndex>();
        var second = NewStore<ITaskIndex>();
        var minute = TaskActivity.MinuteOf(DateTimeOffset.UtcNow).AddMinutes(-2);
        await first.RecordAsync([], [new TaskActivity(minute, "emails.send", TaskState.Succeeded, 3), new TaskActivity(minute, "emails.send", TaskState.Failed, 1)], Roomy, None);
        await second.RecordAsync([], [new TaskActivity(minute, "emails.send", TaskState.Succeeded, 2), new TaskActivity(minute.AddMinutes(1), "emails.send", TaskState.Queued, 4)], Roomy, None);

        var activity = await first.GetActivityAsync(minute, None);
        Assert.Equal(5, activity.Single(a => a.Minute == minute && a.State == TaskState.Succeeded).Count);
        Assert.Equal(1, activity.Single(a => a.Minute == minute && a.State == TaskState.Failed).Count);
        Assert.Equal(4, activity.Single(a => a.Minute == minute.AddMinutes(1)).Count);
        Assert.Equal(["emails.send"], activity.Select(a => a.TaskName).Distinct());
        Assert.Single(await first.GetActivityAsync(minute.AddMinutes(1), None));
    }
}
