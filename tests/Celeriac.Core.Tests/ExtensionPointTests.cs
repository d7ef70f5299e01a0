using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Hosting;
using Celeriac.Pipeline;
using Celeriac.Results;
using Celeriac.Retries;
using Celeriac.TimeLimits;
using Celeriac.Workflows;
using Celeriac.Tasks;
using Celeriac.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Celeriac.Tests;

/// <summary>
/// What interop layers (Celeriac.Celery) plug in with, written once in the core: middleware placed next to a built-in,
/// broker decorations, result sources for handles, per-execution time limits, and the queues' protocol.
/// </summary>
public sealed class ExtensionPointTests
{
    private sealed class FirstMiddleware : ITaskMiddleware
    {
        public Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next) => next(execution);
    }

    private sealed class SecondMiddleware : ITaskMiddleware
    {
        public Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next) => next(execution);
    }

    /// <summary>Sets a soft limit from "the message", as the Celery middleware does from Celery's timelimit header.</summary>
    private sealed class ShortLimitMiddleware : ITaskMiddleware
    {
        public Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
        {
            execution.SoftTimeLimit = TimeSpan.FromMilliseconds(100);
            return next(execution);
        }
    }

    private sealed class WrappingBroker(IBroker inner) : ForwardingBroker(inner)
    {
        public int Sends;

        public override ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref Sends, messages.Count);
            return base.SendAsync(messages, cancellationToken);
        }
    }

    private sealed class FixedSource(TaskResult result) : IResultSource
    {
        public int Reads;

        public ValueTask<TaskResult?> GetAsync(string taskId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Reads);
            return ValueTask.FromResult<TaskResult?>(taskId == result.TaskId ? result : null);
        }
    }

    [Fact]
    public void Placed_middlewares_sit_next_to_their_anchor_and_the_others_run_innermost()
    {
        var order = new MiddlewareOrder(BuiltInMiddlewares.Order, [
            new MiddlewareRegistration(typeof(FirstMiddleware)),
            new MiddlewareRegistration(typeof(SecondMiddleware), After: typeof(WorkflowMiddleware)),
            new MiddlewareRegistration(typeof(ShortLimitMiddleware), Before: typeof(RetryMiddleware)),
        ]).Types.ToList();

        Assert.Equal(order.IndexOf(typeof(WorkflowMiddleware)) + 1, order.IndexOf(typeof(SecondMiddleware)));
        Assert.Equal(order.IndexOf(typeof(RetryMiddleware)) - 1, order.IndexOf(typeof(ShortLimitMiddleware)));
        Assert.Equal(typeof(FirstMiddleware), order[^1]);
        Assert.Equal(BuiltInMiddlewares.Order.Count + 3, order.Count);
        var error = Assert.Throws<InvalidOperationException>(() => new MiddlewareOrder(BuiltInMiddlewares.Order, [new MiddlewareRegistration(typeof(FirstMiddleware), After: typeof(SecondMiddleware))]));
        Assert.Contains("after SecondMiddleware, which is not in the pipeline", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddCeleriac(c => c.UseMiddleware<FirstMiddleware>(before: typeof(RetryMiddleware), after: typeof(RetryMiddleware))));
    }

    [Fact]
    public void A_decoration_wraps_the_broker_chosen_before_or_after_it()
    {
        foreach (var decorateFirst in new[] { true, false })
        {
            using var services = new ServiceCollection().AddLogging().AddCeleriac(c =>
            {
                if (decorateFirst) c.DecorateBroker((_, inner) => new WrappingBroker(inner));
                c.UseInMemoryBroker();
                if (!decorateFirst) c.DecorateBroker((_, inner) => new WrappingBroker(inner));
            }).BuildServiceProvider();

            var broker = Assert.IsType<WrappingBroker>(services.GetRequiredService<IBroker>());
            Assert.IsType<InMemoryBroker>(broker.Inner);
        }
    }

    [Fact]
    public async Task The_client_sends_through_the_decoration()
    {
        WrappingBroker? wrapper = null;
        await using var app = TestApp.CreateWorker(celeriac: c => c.DecorateBroker((_, inner) => wrapper = new WrappingBroker(inner)));
        await app.StartAsync();

        await app.EnqueueScriptAsync("through");

        await Eventually.Until(() => app.Probe.StartedWith("through").Any(), "the task ran");
        Assert.Equal(1, wrapper!.Sends);
    }

    [Fact]
    public async Task A_handle_finds_a_result_in_a_source_when_the_store_has_none()
    {
        var source = new FixedSource(new TaskResult("elsewhere", true, "41", null, null, DateTimeOffset.UtcNow));
        await using var app = TestApp.Create(c => c.AddTask<EchoTask>(), services: s => s.AddSingleton<IResultSource>(source));
        var control = app.Services.GetRequiredService<TaskControl>();

        Assert.Equal(41, await control.Handle("elsewhere").GetResultAsync<int>(TimeSpan.FromSeconds(5)));
        Assert.Null(await control.Handle("nowhere").WaitAsync(TimeSpan.FromMilliseconds(50)));
        Assert.True(source.Reads >= 2);
    }

    [Fact]
    public async Task A_time_limit_set_for_one_execution_applies_instead_of_the_task_option()
    {
        await using var app = TestApp.CreateWorker(
            celeriac: c => c.UseMiddleware<ShortLimitMiddleware>(after: typeof(WorkflowMiddleware)),
            script: o => o.MaxRetries = 0);
        app.Probe.Handler = (_, context) => Task.Delay(TimeSpan.FromSeconds(10), context.CancellationToken);
        await app.StartAsync();

        await app.EnqueueScriptAsync("limited");

        await Eventually.Until(() => !app.Observer.Finished.IsEmpty, "the task ended");
        var finish = Assert.Single(app.Observer.Finished);
        Assert.IsType<SoftTimeLimitExceededException>(finish.Exception);
        Assert.Contains("soft time limit of 0.1s exceeded", finish.DeadLetterReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_queue_protocol_must_be_one_Celeriac_knows()
    {
        await using var app = TestApp.Create(
            c => c.AddTask<EchoTask>().AddWorker(),
            new Dictionary<string, string?>
            {
                ["Celeriac:Queues:0:Name"] = "py", ["Celeriac:Queues:0:Protocol"] = "Celery",
                ["Celeriac:Queues:1:Name"] = "amqp", ["Celeriac:Queues:1:Protocol"] = "amqp",
            });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        Assert.Equal(["Celeriac:Queues:1:Protocol must be 'celeriac' or 'celery' (was 'amqp')."], error.Failures);
        var declared = new CeleriacOptions { Queues = [new() { Name = "py", Protocol = "Celery" }, new() { Name = "own" }] };
        Assert.Equal(["py"], declared.QueuesOfProtocol(QueueProtocols.Celery));
    }
}
