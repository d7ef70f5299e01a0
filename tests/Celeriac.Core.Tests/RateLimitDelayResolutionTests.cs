using System.Text.Json;
using Celeriac.Brokers;
using Celeriac.Control;
using Celeriac.Envelope;
using Celeriac.Pipeline;
using Celeriac.RateLimits;
using Celeriac.Tasks;
using Xunit;

namespace Celeriac.Tests;

/// <summary>
/// On a broker that delays in whole seconds (SQS), a task waiting for its rate-limit slot is handed back for whole
/// seconds only and waits the remainder in the worker, so that it starts at its slot and not up to a second after it.
/// </summary>
public sealed class RateLimitDelayResolutionTests
{
    private readonly ManualTimeProvider _time = new();

    private sealed class SecondsBroker() : ForwardingBroker(new InMemoryBroker())
    {
        public override TimeSpan DelayResolution => TimeSpan.FromSeconds(1);
    }

    private TaskExecution Execution(string id)
    {
        var options = new TaskOptions { RateLimit = "2/s" };
        var descriptor = new TaskDescriptor
        {
            Name = "reports.build", TaskType = typeof(object), ArgsType = typeof(JsonElement), Options = options,
            BindArgs = args => args, Invoke = (_, _, _) => Task.FromResult<object?>(null),
        };
        var envelope = new TaskEnvelope { Id = id, Task = "reports.build", Args = JsonDocument.Parse("{}").RootElement, Queue = "default", Created = _time.GetUtcNow() };
        var message = new BrokerMessage { Queue = "default", Body = EnvelopeSerializer.Serialize(envelope), Receipt = id };
        return new TaskExecution(envelope, descriptor, envelope.Args, message, EmptyServices.Instance, CancellationToken.None, () => ValueTask.CompletedTask);
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public static EmptyServices Instance { get; } = new();
        public object? GetService(Type serviceType) => null;
    }

    private static Task<Settlement> Run(TaskExecution execution) => Task.FromResult<Settlement>(new Settlement.Succeeded(null));

    [Fact]
    public async Task A_task_whose_slot_is_more_than_a_step_away_is_handed_back_for_whole_steps_and_waits_the_rest_on_return()
    {
        var middleware = new RateLimitMiddleware(new InMemoryRateLimiter(_time), new ControlState(), new SecondsBroker(), _time);
        Assert.IsType<Settlement.Succeeded>(await middleware.InvokeAsync(Execution("a"), Run));
        // Slots 0.5 s and 1 s away are within one step: waited for here.
        var b = middleware.InvokeAsync(Execution("b"), Run);
        var c = middleware.InvokeAsync(Execution("c"), Run);

        // 1.5 s away: handed back for 1 s, the whole steps of it (SQS would make 1.5 s into 2 s, half a second late)...
        var d = await middleware.InvokeAsync(Execution("d"), Run);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.IsType<Settlement.Released>(d).Delay);

        // ...and back after that second, it waits the remaining half second here and starts at its slot.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.IsType<Settlement.Succeeded>(await b.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.IsType<Settlement.Succeeded>(await c.WaitAsync(TimeSpan.FromSeconds(10)));
        var returned = middleware.InvokeAsync(Execution("d"), Run);
        Assert.False(returned.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.IsType<Settlement.Succeeded>(await returned.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task On_a_broker_with_exact_delays_the_hand_back_is_the_exact_wait()
    {
        var middleware = new RateLimitMiddleware(new InMemoryRateLimiter(_time), new ControlState(), new InMemoryBroker(), _time);
        await middleware.InvokeAsync(Execution("a"), Run);

        var b = await middleware.InvokeAsync(Execution("b"), Run);
        var c = await middleware.InvokeAsync(Execution("c"), Run);

        Assert.Equal(TimeSpan.FromSeconds(0.5), Assert.IsType<Settlement.Released>(b).Delay);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.IsType<Settlement.Released>(c).Delay);
    }
}
