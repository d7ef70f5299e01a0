using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Observability;
using Celeriac.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

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
        await Poll.Until(() => app.Observer.Finished.Count == 4 && !app.Observer.Rejected.IsEmpty, "everything was handled");

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

    private static Dictionary<string, string?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, string?>();
        foreach (var tag in tags) result[tag.Key] = tag.Value?.ToString();
        return result;
    }
}
