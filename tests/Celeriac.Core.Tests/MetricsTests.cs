using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Observability;
using Celeriac.Tests.Infrastructure;
using Celeriac.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Tests;

public sealed class MetricsTests
{
    private sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags);

    [Fact]
    public async Task Task_counters_carry_task_and_queue_tags()
    {
        await using var app = TestApp.CreateWorker(
            o => o.Concurrency = 1,
            script: o => { o.MaxRetries = 1; o.RetryBackoff = TimeSpan.FromMilliseconds(10); });
        var measurements = new ConcurrentQueue<Measurement>();
        using var listener = new MeterListener();
        var factory = app.Services.GetRequiredService<IMeterFactory>();
        // Only this host's meter: other tests run their own hosts in parallel.
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CeleriacDiagnostics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, value, tags, _) => measurements.Enqueue(new Measurement(i.Name, value, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<double>((i, value, tags, _) => measurements.Enqueue(new Measurement(i.Name, value, ToDictionary(tags))));
        listener.Start();

        app.Probe.Handler = (args, _) => args.Label == "bad" ? throw new InvalidOperationException("bad") : Task.CompletedTask;
        await app.StartAsync();
        await app.EnqueueScriptAsync("ok");
        await app.EnqueueScriptAsync("bad");
        await app.EnqueueScriptAsync("old", new EnqueueOptions { Expires = DateTimeOffset.UtcNow.AddMinutes(-1) });
        await app.Broker.SendAsync([new OutgoingMessage("default", Encoding.UTF8.GetBytes("garbage"))], CancellationToken.None);
        await Eventually.Until(() => app.Observer.Finished.Count == 4 && !app.Observer.Rejected.IsEmpty, "everything was handled");

        double Sum(string instrument, string task = "test.script") => measurements
            .Where(m => m.Instrument == instrument && m.Tags.GetValueOrDefault("task") == task && m.Tags.GetValueOrDefault("queue") == "default")
            .Sum(m => m.Value);

        Assert.Equal(4, Sum("celeriac.tasks.received"));
        Assert.Equal(1, Sum("celeriac.tasks.succeeded"));
        Assert.Equal(1, Sum("celeriac.tasks.retried"));
        Assert.Equal(1, Sum("celeriac.tasks.dead_lettered"));
        Assert.Equal(1, Sum("celeriac.tasks.expired"));
        Assert.Equal(1, Sum("celeriac.tasks.dead_lettered", task: "unknown"));
        Assert.Equal(0, Sum("celeriac.tasks.in_flight"));
        var failed = Assert.Single(measurements, m => m.Instrument == "celeriac.tasks.failed");
        Assert.Equal("InvalidOperationException", failed.Tags["exception"]);
        Assert.Equal(3, measurements.Count(m => m.Instrument == "celeriac.task.duration"));
        Assert.Equal(4, measurements.Count(m => m.Instrument == "celeriac.task.queue_wait"));
        Assert.All(measurements.Where(m => m.Instrument == "celeriac.task.queue_wait"), m => Assert.True(m.Value >= 0));
    }

    [Fact]
    public async Task Registered_tasks_start_at_zero_and_durations_use_buckets_from_1ms_to_1h()
    {
        await using var app = TestApp.CreateWorker(celeriac: c => c.AddTask<EchoTask>());
        using var recorder = new MeterRecorder(app.Services);
        await app.StartAsync();

        foreach (var instrument in new[] { "celeriac.tasks.received", "celeriac.tasks.succeeded", "celeriac.tasks.retried", "celeriac.tasks.rate_limited", "celeriac.tasks.revoked", "celeriac.tasks.dead_lettered" })
        {
            Assert.Contains(recorder.Measurements, m => m.Instrument == instrument && m.Value == 0 && m.Tags["task"] == "test.echo" && m.Tags["queue"] == "default");
            Assert.Contains(recorder.Measurements, m => m.Instrument == instrument && m.Tags["task"] == "test.script");
        }
        var duration = Assert.IsType<Histogram<double>>(recorder.Instruments["celeriac.task.duration"]);
        var queueWait = Assert.IsType<Histogram<double>>(recorder.Instruments["celeriac.task.queue_wait"]);
        Assert.Equal("s", duration.Unit);
        var bounds = duration.Advice?.HistogramBucketBoundaries;
        Assert.NotNull(bounds);
        Assert.Equal(0.001, bounds[0]);
        Assert.Equal(3600, bounds[^1]);
        Assert.Equal(bounds, queueWait.Advice?.HistogramBucketBoundaries);
    }

    [Fact]
    public async Task Rate_limited_and_revoked_messages_are_counted_and_not_timed()
    {
        await using var app = TestApp.CreateWorker(celeriac: c => c.UseMiddleware<OutcomeOverrideMiddleware>());
        using var recorder = new MeterRecorder(app.Services);
        await app.StartAsync();
        await app.EnqueueScriptAsync("rate-limited");
        await app.EnqueueScriptAsync("revoked");
        await app.EnqueueScriptAsync("ok");
        await Eventually.Until(() => app.Observer.Finished.Count == 3, "the three messages were handled");

        Assert.Equal(1, recorder.Sum("celeriac.tasks.rate_limited", "test.script"));
        Assert.Equal(1, recorder.Sum("celeriac.tasks.revoked", "test.script"));
        Assert.Equal(1, recorder.Sum("celeriac.tasks.succeeded", "test.script"));
        // A hand-back is not a run: the rate-limited message counts as received when its later delivery is settled.
        Assert.Equal(2, recorder.Sum("celeriac.tasks.received", "test.script"));
        Assert.Single(recorder.Measurements, m => m.Instrument == "celeriac.task.duration");
        Assert.Equal(1, (await app.DepthAsync()).Delayed);
    }

    [Fact]
    public async Task A_task_revoked_while_running_is_received_once_revoked_once_and_logged_once()
    {
        var logs = new ScopeRecordingLoggerProvider();
        await using var app = TestApp.CreateWorker(services: s => s.AddSingleton<ILoggerProvider>(logs).Configure<LoggerFilterOptions>(o => o.MinLevel = LogLevel.Trace));
        using var recorder = new MeterRecorder(app.Services);
        app.Probe.Handler = (_, context) => Task.Delay(Timeout.Infinite, context.CancellationToken);
        await app.StartAsync();
        var id = await app.EnqueueScriptAsync("long");
        await Eventually.Until(() => app.Probe.Started.Count == 1, "the task runs");

        await app.Services.GetRequiredService<TaskControl>().RevokeAsync(id);
        await Eventually.Until(() => app.Observer.Finished.Count == 1, "the revoked task settled");
        await Eventually.Until(async () => (await app.DepthAsync()).Total == 0, "the message is gone");

        Assert.Equal(1, recorder.Sum("celeriac.tasks.received", "test.script"));
        Assert.Equal(1, recorder.Sum("celeriac.tasks.revoked", "test.script"));
        // One line at Information or above says what became of it; the watcher's cancellation is a Debug detail.
        var about = logs.Entries.Where(e => e.Level >= LogLevel.Information && e.Message.Contains(id, StringComparison.Ordinal)).ToList();
        var line = Assert.Single(about);
        Assert.EndsWith("was revoked", line.Message, StringComparison.Ordinal);
        Assert.Single(app.Probe.Started);
    }

    [Fact]
    public async Task Worker_gauges_report_concurrency_memory_and_a_recycle_by_reason()
    {
        await using var app = TestApp.CreateWorker(o => o.Concurrency = 3);
        using var recorder = new MeterRecorder(app.Services);
        await app.StartAsync();

        double Latest(string instrument, string? reason = null)
        {
            recorder.Measurements.Clear();
            recorder.Observe();
            return recorder.Measurements.Single(m => m.Instrument == instrument && (reason is null || m.Tags.GetValueOrDefault("reason") == reason)).Value;
        }

        Assert.Equal(3, Latest("celeriac.worker.concurrency"));
        Assert.True(Latest("celeriac.worker.memory") > 1024 * 1024);
        Assert.Equal(0, Latest("celeriac.worker.recycles", "memory"));
        app.Services.GetRequiredService<IWorkerLifetime>().RequestRecycle(WorkerExitCodes.MemoryCeiling, "test");
        Assert.Equal(1, Latest("celeriac.worker.recycles", "memory"));
        Assert.Equal(0, Latest("celeriac.worker.recycles", "hard_time_limit"));
    }

    private static Dictionary<string, string?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, string?>();
        foreach (var tag in tags) result[tag.Key] = tag.Value?.ToString();
        return result;
    }
}
