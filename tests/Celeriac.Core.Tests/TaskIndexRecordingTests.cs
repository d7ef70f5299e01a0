using System.Text.Json;
using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.Pipeline;
using Celeriac.Registry;
using Celeriac.TaskIndex;
using Celeriac.Tasks;
using Celeriac.Testing;
using Celeriac.Testing.InProcess;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Celeriac.Tests;

/// <summary>
/// What a worker records in the recent-tasks index: a task running at a flush is in the index as started, with its
/// worker and args; its end keeps all of that; a task that starts and ends between flushes is written once, by
/// its end, which carries what its start would have.
/// </summary>
public sealed class TaskIndexRecordingTests
{
    private static readonly Dictionary<string, string?> ManualFlushes = new() { ["Celeriac:TaskIndex:FlushInterval"] = "01:00:00" };

    [Fact]
    public async Task A_task_running_at_a_flush_is_started_in_the_index_and_its_end_keeps_what_the_start_said()
    {
        await using var app = TestApp.CreateWorker(configuration: ManualFlushes);
        var release = new TaskCompletionSource();
        app.Probe.Handler = (_, _) => release.Task;
        await app.StartAsync();
        var writer = app.Services.GetRequiredService<TaskIndexWriter>();
        var index = app.Services.GetRequiredService<ITaskIndex>();
        var worker = app.Services.GetRequiredService<WorkerIdentity>().Id;

        var id = await app.EnqueueScriptAsync("long");
        await Eventually.Until(() => app.Probe.Running == 1, "the task runs");
        await writer.FlushAsync();

        var running = await index.GetAsync(id, CancellationToken.None);
        Assert.NotNull(running);
        Assert.Equal(TaskState.Started, running.State);
        Assert.Equal(worker, running.Worker);
        Assert.NotNull(running.StartedAt);
        Assert.Contains("long", running.Args, StringComparison.Ordinal);

        release.SetResult();
        await Eventually.Until(() => app.Probe.Finished.Count == 1, "the task ends");
        await writer.FlushAsync();

        var ended = await Eventually.Value(async () => await index.GetAsync(id, CancellationToken.None), r => r?.State == TaskState.Succeeded, "the index has the end");
        Assert.Equal(running.StartedAt, ended!.StartedAt);
        Assert.Equal(running.Args, ended.Args);
        Assert.Equal(running.TraceId, ended.TraceId);
        Assert.NotNull(ended.DurationMs);
    }

    [Fact]
    public async Task A_task_that_starts_and_ends_between_flushes_is_recorded_by_its_end_with_its_start()
    {
        await using var app = TestApp.CreateWorker(configuration: ManualFlushes);
        await app.StartAsync();
        var writer = app.Services.GetRequiredService<TaskIndexWriter>();
        var index = app.Services.GetRequiredService<ITaskIndex>();

        var id = await app.EnqueueScriptAsync("quick");
        await Eventually.Until(() => app.Probe.Finished.Count == 1, "the task ends");
        await Eventually.Until(() => app.Services.GetRequiredService<WorkerActivity>().Processed == 1, "the worker settled it");
        await writer.FlushAsync();

        var record = await index.GetAsync(id, CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal(TaskState.Succeeded, record.State);
        Assert.NotNull(record.EnqueuedAt);
        Assert.NotNull(record.StartedAt);
        Assert.Contains("quick", record.Args, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_running_task_gives_one_start_and_a_finished_one_none()
    {
        var activity = new WorkerActivity();
        var starts = new RunningStarts(activity, new WorkerIdentity(TimeProvider.System), maxArgsLength: 5);
        var first = Execution("t-1", "{\"text\":\"a long argument\"}");
        var second = Execution("t-2", "{}");
        activity.OnStarted(first);

        var batch = new Dictionary<string, TaskEvent>(StringComparer.Ordinal);
        starts.AddTo(batch);
        var start = Assert.Single(batch.Values);
        Assert.Equal(("t-1", TaskState.Started), (start.TaskId, start.State));
        Assert.Equal("{\"tex…", start.Args);

        // The next flush: the first is still running (its start was written), the second is new.
        activity.OnStarted(second);
        batch.Clear();
        starts.AddTo(batch);
        Assert.Equal("t-2", Assert.Single(batch.Values).TaskId);

        // Both ended before the third: nothing to start.
        activity.OnFinished(first, new Settlement.Succeeded(null), TimeSpan.Zero);
        activity.OnFinished(second, new Settlement.Succeeded(null), TimeSpan.Zero);
        batch.Clear();
        starts.AddTo(batch);
        Assert.Empty(batch);
    }

    private static TaskExecution Execution(string id, string args)
    {
        var descriptor = new TaskDescriptor
        {
            Name = "reports.build", TaskType = typeof(object), ArgsType = typeof(JsonElement), Options = new TaskOptions(),
            BindArgs = a => a, Invoke = (_, _, _) => Task.FromResult<object?>(null),
        };
        var envelope = new TaskEnvelope { Id = id, Task = "reports.build", Args = JsonDocument.Parse(args).RootElement, Queue = "default", Created = DateTimeOffset.UtcNow };
        var message = new BrokerMessage { Queue = "default", Body = EnvelopeSerializer.Serialize(envelope), Receipt = id };
        return new TaskExecution(envelope, descriptor, envelope.Args, message, new ServiceCollection().BuildServiceProvider(), CancellationToken.None, () => ValueTask.CompletedTask);
    }
}
