using System.Collections.Concurrent;
using System.Diagnostics;
using Celeriac.Client;
using Celeriac.Envelope;
using Celeriac.Observability;
using Celeriac.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Tests;

public sealed class TracingTests
{
    private static async Task<TestApp> StartParentChildAppAsync()
    {
        var app = await TestApp.CreateWorker(celeriac: c => c.AddTask<EchoTask>()).StartAsync();
        app.Probe.Handler = (_, ctx) => ctx.Services.GetRequiredService<ITaskClient>().EnqueueAsync(new EchoArgs("child"));
        return app;
    }

    [Fact]
    public async Task A_task_enqueued_by_a_task_joins_the_producers_trace()
    {
        await using var app = await StartParentChildAppAsync();

        ActivityTraceId traceId;
        using (var producer = new Activity("http-request").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            traceId = producer.TraceId;
            await app.EnqueueScriptAsync("parent");
        }
        await Poll.Until(() => app.Probe.Finished.Any(r => r.Task == "test.echo"), "the child task ran");

        var parent = app.Probe.Started.Single(r => r.Task == "test.script");
        var child = app.Probe.Started.Single(r => r.Task == "test.echo");
        Assert.Equal(traceId, parent.TraceId);
        Assert.Equal(traceId, child.TraceId);
        var childParent = ActivityContext.Parse(child.Envelope.GetHeader(TaskHeaders.TraceParent)!, null);
        Assert.Equal(traceId, childParent.TraceId);
        // The child's parent span is the parent task's run, not the original request.
        var requestSpan = ActivityContext.Parse(parent.Envelope.GetHeader(TaskHeaders.TraceParent)!, null).SpanId;
        Assert.NotEqual(requestSpan, childParent.SpanId);
    }

    [Fact]
    public async Task With_a_listener_the_run_is_a_consumer_span_under_the_producer()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CeleriacDiagnostics.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = await StartParentChildAppAsync();

        ActivityContext producer;
        using (var activity = new Activity("http-request").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            producer = activity.Context;
            await app.EnqueueScriptAsync("parent");
        }
        await Poll.Until(() => stopped.Count(a => a.TraceId == producer.TraceId && a.OperationName == "celeriac.run test.echo") == 1, "the child's run span ended");

        var mine = stopped.Where(a => a.TraceId == producer.TraceId).ToList();
        var parentRun = mine.Single(a => a.OperationName == "celeriac.run test.script");
        var childRun = mine.Single(a => a.OperationName == "celeriac.run test.echo");
        Assert.Equal(ActivityKind.Consumer, parentRun.Kind);
        Assert.Equal("test.script", parentRun.GetTagItem("celeriac.task"));
        Assert.Equal("Succeeded", parentRun.GetTagItem("celeriac.outcome"));
        Assert.Equal(producer.TraceId, childRun.TraceId);
        Assert.Contains(mine, a => a.Kind == ActivityKind.Producer);
    }
}
