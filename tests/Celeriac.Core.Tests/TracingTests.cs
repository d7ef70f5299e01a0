using System.Collections.Concurrent;
using System.Diagnostics;
using Celeriac.Client;
using Celeriac.Envelope;
using Celeriac.Observability;
using Celeriac.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Tests;

[Collection(ActivityListenerCollection.Name)]
public sealed class TracingTests
{
    private static ActivityListener Listen(ConcurrentQueue<Activity> stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CeleriacDiagnostics.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

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
        await Eventually.Until(() => app.Probe.Finished.Any(r => r.Task == "test.echo"), "the child task ran");

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
        await Eventually.Until(() => stopped.Count(a => a.TraceId == producer.TraceId && a.OperationName == "celeriac.run test.echo") == 1, "the child's run span ended");

        var mine = stopped.Where(a => a.TraceId == producer.TraceId).ToList();
        var parentRun = mine.Single(a => a.OperationName == "celeriac.run test.script");
        var childRun = mine.Single(a => a.OperationName == "celeriac.run test.echo");
        Assert.Equal(ActivityKind.Consumer, parentRun.Kind);
        Assert.Equal("test.script", parentRun.GetTagItem("celeriac.task"));
        Assert.Equal("Succeeded", parentRun.GetTagItem("celeriac.outcome"));
        Assert.Equal(producer.TraceId, childRun.TraceId);
        Assert.Contains(mine, a => a.Kind == ActivityKind.Producer);
    }

    [Fact]
    public async Task With_a_listener_each_run_is_the_child_of_the_enqueue_span_that_sent_it()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = Listen(stopped);
        await using var app = await StartParentChildAppAsync();

        ActivityContext request;
        using (var activity = new Activity("http-request").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            activity.TraceStateString = "vendor=abc";
            request = activity.Context;
            await app.EnqueueScriptAsync("parent");
        }
        await Eventually.Until(() => stopped.Any(a => a.TraceId == request.TraceId && a.OperationName == "celeriac.run test.echo"), "the child's run span ended");

        var mine = stopped.Where(a => a.TraceId == request.TraceId).ToList();
        var parentEnqueue = mine.Single(a => a.OperationName == "celeriac.enqueue test.script");
        var parentRun = mine.Single(a => a.OperationName == "celeriac.run test.script");
        var childEnqueue = mine.Single(a => a.OperationName == "celeriac.enqueue test.echo");
        var childRun = mine.Single(a => a.OperationName == "celeriac.run test.echo");
        Assert.Equal(ActivityKind.Producer, parentEnqueue.Kind);
        Assert.Equal(request.SpanId, parentEnqueue.ParentSpanId);
        Assert.Equal(parentEnqueue.SpanId, parentRun.ParentSpanId);
        Assert.Equal(parentRun.SpanId, childEnqueue.ParentSpanId);
        Assert.Equal(childEnqueue.SpanId, childRun.ParentSpanId);
        Assert.Equal("default", parentEnqueue.GetTagItem("messaging.destination.name"));
        Assert.Equal(app.Probe.Started.Single(r => r.Task == "test.script").Envelope.Id, parentEnqueue.GetTagItem("celeriac.task_id"));
        Assert.Equal("vendor=abc", parentRun.TraceStateString);
        Assert.Equal("vendor=abc", childRun.TraceStateString);
    }

    [Fact]
    public async Task A_retry_stays_in_the_trace_of_the_first_attempt()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = Listen(stopped);
        await using var app = await TestApp.CreateWorker(script: o => { o.MaxRetries = 1; o.RetryBackoff = TimeSpan.FromMilliseconds(10); }).StartAsync();
        app.Probe.Handler = (_, ctx) => ctx.Attempt == 0 ? throw new InvalidOperationException("once") : Task.CompletedTask;

        ActivityTraceId traceId;
        using (var activity = new Activity("http-request").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            traceId = activity.TraceId;
            await app.EnqueueScriptAsync("retried");
        }
        await Eventually.Until(() => stopped.Count(a => a.TraceId == traceId && a.OperationName == "celeriac.run test.script") == 2, "both attempts' run spans ended");

        var runs = stopped.Where(a => a.TraceId == traceId && a.OperationName == "celeriac.run test.script").OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal("Retried", runs[0].GetTagItem("celeriac.outcome"));
        Assert.Equal(ActivityStatusCode.Unset, runs[0].Status);
        Assert.Equal("Succeeded", runs[1].GetTagItem("celeriac.outcome"));
        Assert.Equal(1, runs[1].GetTagItem("celeriac.attempt"));
        var retryEnqueue = stopped.Single(a => a.TraceId == traceId && a.OperationName == "celeriac.enqueue test.script" && a.ParentSpanId == runs[0].SpanId);
        Assert.Equal(retryEnqueue.SpanId, runs[1].ParentSpanId);
    }

    [Fact]
    public async Task A_task_that_fails_for_good_marks_its_run_span_as_an_error()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = Listen(stopped);
        await using var app = await TestApp.CreateWorker(script: o => o.MaxRetries = 0).StartAsync();
        app.Probe.Handler = (_, _) => throw new InvalidOperationException("broken");

        var id = await app.EnqueueScriptAsync("doomed");
        await Eventually.Until(() => stopped.Any(a => a.OperationName == "celeriac.run test.script" && (string?)a.GetTagItem("celeriac.task_id") == id), "the run span ended");

        var run = stopped.Single(a => a.OperationName == "celeriac.run test.script" && (string?)a.GetTagItem("celeriac.task_id") == id);
        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.Equal("broken", run.StatusDescription);
        Assert.Equal("DeadLettered", run.GetTagItem("celeriac.outcome"));
    }

    [Fact]
    public async Task Logs_written_by_a_task_carry_its_task_id_and_the_producers_trace_id()
    {
        var logs = new ScopeRecordingLoggerProvider();
        await using var app = await TestApp.CreateWorker(services: s => s.AddSingleton<ILoggerProvider>(logs)).StartAsync();
        app.Probe.Handler = (args, ctx) =>
        {
            ctx.Services.GetRequiredService<ILogger<TracingTests>>().LogInformation("working on {Label}", args.Label);
            return Task.CompletedTask;
        };

        ActivityTraceId traceId;
        string id;
        using (var activity = new Activity("http-request").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            traceId = activity.TraceId;
            id = await app.EnqueueScriptAsync("logged");
        }
        await Eventually.Until(() => logs.Entries.Any(e => e.Message == "working on logged"), "the task logged");

        var entry = logs.Entries.Single(e => e.Message == "working on logged");
        Assert.Equal(id, entry.Scope["TaskId"]);
        Assert.Equal("test.script", entry.Scope["Task"]);
        Assert.Equal(traceId.ToHexString(), entry.Scope["TraceId"]);
    }
}
