using System.Diagnostics;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Envelope;
using Celeriac.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Tests;

/// <summary>The client on a host without a worker, on a clock that only moves when the test says so.</summary>
[Collection(ActivityListenerCollection.Name)]
public sealed class TaskClientTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private TestApp _app = null!;

    private static readonly Dictionary<string, string?> Queues = new()
    {
        ["Celeriac:Queues:0:Name"] = "urgent", ["Celeriac:Queues:0:Priority"] = "10",
        ["Celeriac:Queues:1:Name"] = "default", ["Celeriac:Queues:1:Priority"] = "5",
        ["Celeriac:Queues:2:Name"] = "bulk", ["Celeriac:Queues:2:Priority"] = "1",
    };

    public Task InitializeAsync()
    {
        _app = TestApp.Create(
            c => c.AddTask<EchoTask>().AddTask<StrictTask>(o => { o.Queue = "strict"; o.Expires = TimeSpan.FromHours(1); })
                  .AddTask<TwinATask>().AddTask<TwinBTask>(),
            Queues,
            services => services.AddSingleton<TimeProvider>(_time),
            new InMemoryBroker(_time),
            record: true);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private ITaskClient Client => _app.Client;

    private async Task<IReadOnlyList<TaskEnvelope>> ReceiveAsync(string queue, int max = 10)
    {
        var messages = await _app.Broker.ReceiveAsync([queue], max, TimeSpan.FromDays(1), TimeSpan.Zero, CancellationToken.None);
        return [.. messages.Select(m => EnvelopeSerializer.Deserialize(m.Body.Span))];
    }

    private async Task<TaskEnvelope> ReceiveOneAsync(string queue) => Assert.Single(await ReceiveAsync(queue));

    [Fact]
    public async Task Enqueue_by_args_type_returns_the_id_in_the_envelope()
    {
        var id = await Client.EnqueueAsync(new EchoArgs("hello"));

        var envelope = await ReceiveOneAsync("default");
        Assert.Equal(id, envelope.Id);
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal("test.echo", envelope.Task);
        Assert.Equal("default", envelope.Queue);
        Assert.Equal("hello", envelope.Args.GetProperty("text").GetString());
        Assert.Equal(0, envelope.Attempt);
        Assert.Equal(_time.GetUtcNow(), envelope.Created);
        Assert.Null(envelope.Eta);
        Assert.Null(envelope.Expires);
    }

    [Fact]
    public async Task Enqueue_by_name_uses_the_registered_queue_or_default_for_unknown_names()
    {
        var known = await Client.EnqueueAsync("test.strict", new StrictArgs("x", 1));
        var foreign = await Client.EnqueueAsync("billing.invoice", new { InvoiceId = 42 });

        var strict = await ReceiveOneAsync("strict");
        Assert.Equal(known, strict.Id);
        Assert.Equal("test.strict", strict.Task);
        var other = await ReceiveOneAsync("default");
        Assert.Equal(foreign, other.Id);
        Assert.Equal("billing.invoice", other.Task);
        Assert.Equal(42, other.Args.GetProperty("invoiceId").GetInt32());
    }

    [Fact]
    public async Task A_given_task_id_is_used()
    {
        var id = await Client.EnqueueAsync(new EchoArgs("x"), new EnqueueOptions { TaskId = "my-id" });
        Assert.Equal("my-id", id);
        Assert.Equal("my-id", (await ReceiveOneAsync("default")).Id);
    }

    [Fact]
    public async Task Countdown_becomes_eta_and_the_message_is_not_receivable_before()
    {
        var start = _time.GetUtcNow();
        await Client.EnqueueAsync(new EchoArgs("later"), new EnqueueOptions { Countdown = TimeSpan.FromMinutes(10) });

        Assert.Equal(start + TimeSpan.FromMinutes(10), Assert.Single(_app.Recording.SentMessages).Message.NotBefore);
        Assert.Equal(new QueueDepth(0, 0, 1), await _app.DepthAsync());
        _time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        Assert.Empty(await ReceiveAsync("default"));

        _time.Advance(TimeSpan.FromSeconds(1));
        var envelope = await ReceiveOneAsync("default");
        Assert.Equal(start + TimeSpan.FromMinutes(10), envelope.Eta);
    }

    [Fact]
    public async Task Eta_wins_over_countdown_and_a_past_eta_is_immediate()
    {
        var eta = _time.GetUtcNow().AddHours(2);
        await Client.EnqueueAsync(new EchoArgs("eta"), new EnqueueOptions { Eta = eta, Countdown = TimeSpan.FromSeconds(1) });
        await Client.EnqueueAsync(new EchoArgs("past"), new EnqueueOptions { Eta = _time.GetUtcNow().AddMinutes(-1) });

        Assert.Equal([eta, null], _app.Recording.SentMessages.Select(m => m.Message.NotBefore));
        var past = await ReceiveOneAsync("default");
        Assert.Equal("past", past.Args.GetProperty("text").GetString());
        Assert.Null(past.Eta);

        _time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        Assert.Empty(await ReceiveAsync("default"));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(eta, (await ReceiveOneAsync("default")).Eta);
    }

    [Fact]
    public async Task Expires_and_expires_in_and_the_task_default()
    {
        var now = _time.GetUtcNow();
        await Client.EnqueueAsync(new EchoArgs("none"));
        await Client.EnqueueAsync(new EchoArgs("at"), new EnqueueOptions { Expires = now.AddMinutes(3) });
        await Client.EnqueueAsync(new EchoArgs("in"), new EnqueueOptions { ExpiresIn = TimeSpan.FromMinutes(4) });
        await Client.EnqueueAsync(new StrictArgs("task-default", 1));
        await Client.EnqueueAsync(new StrictArgs("overridden", 1), new EnqueueOptions { ExpiresIn = TimeSpan.FromMinutes(1) });

        var byText = (await ReceiveAsync("default")).ToDictionary(e => e.Args.GetProperty("text").GetString()!, e => e.Expires);
        Assert.Null(byText["none"]);
        Assert.Equal(now.AddMinutes(3), byText["at"]);
        Assert.Equal(now.AddMinutes(4), byText["in"]);
        var byName = (await ReceiveAsync("strict")).ToDictionary(e => e.Args.GetProperty("name").GetString()!, e => e.Expires);
        Assert.Equal(now.AddHours(1), byName["task-default"]);
        Assert.Equal(now.AddMinutes(1), byName["overridden"]);
    }

    [Fact]
    public async Task Queue_override_wins()
    {
        await Client.EnqueueAsync(new StrictArgs("x", 1), new EnqueueOptions { Queue = "elsewhere", Priority = 10 });
        Assert.Equal("elsewhere", (await ReceiveOneAsync("elsewhere")).Queue);
        Assert.Equal(0, (await _app.DepthAsync("strict")).Total);
    }

    [Theory]
    [InlineData(100, "urgent")]
    [InlineData(10, "urgent")]
    [InlineData(7, "default")]
    [InlineData(5, "default")]
    [InlineData(1, "bulk")]
    [InlineData(0, "bulk")] // below every declared priority: the lowest queue
    public async Task Priority_maps_to_the_highest_declared_queue_not_above_it(int priority, string queue)
    {
        await Client.EnqueueAsync(new StrictArgs("p", priority), new EnqueueOptions { Priority = priority });
        Assert.Equal(queue, (await ReceiveOneAsync(queue)).Queue);
    }

    [Fact]
    public async Task Headers_are_carried()
    {
        await Client.EnqueueAsync(new EchoArgs("h"), new EnqueueOptions { Headers = new Dictionary<string, string> { ["correlation-id"] = "c-42", ["tenant"] = "t1" } });
        var envelope = await ReceiveOneAsync("default");
        Assert.Equal("c-42", envelope.GetHeader(TaskHeaders.CorrelationId));
        Assert.Equal("t1", envelope.GetHeader("tenant"));
        Assert.Null(envelope.GetHeader(TaskHeaders.TraceParent));
    }

    [Fact]
    public async Task Traceparent_and_tracestate_come_from_the_current_w3c_activity()
    {
        using (var activity = new Activity("web-request").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            activity.TraceStateString = "vendor=abc";
            await Client.EnqueueAsync(new EchoArgs("traced"), new EnqueueOptions { Headers = new Dictionary<string, string> { ["tenant"] = "t1" } });

            var envelope = await ReceiveOneAsync("default");
            Assert.Equal(activity.Id, envelope.GetHeader(TaskHeaders.TraceParent));
            Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", envelope.GetHeader(TaskHeaders.TraceParent));
            Assert.Equal("vendor=abc", envelope.GetHeader(TaskHeaders.TraceState));
            Assert.Equal("t1", envelope.GetHeader("tenant"));
        }

        using (new Activity("legacy").SetIdFormat(ActivityIdFormat.Hierarchical).Start())
        {
            await Client.EnqueueAsync(new EchoArgs("hierarchical"));
            Assert.Null((await ReceiveOneAsync("default")).GetHeader(TaskHeaders.TraceParent));
        }
    }

    [Fact]
    public async Task Unregistered_args_type_gives_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Client.EnqueueAsync(new UnregisteredArgs(1)));
        Assert.Contains("No registered task takes UnregisteredArgs", error.Message);
    }

    [Fact]
    public async Task Ambiguous_args_type_gives_a_clear_error_and_by_name_works()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Client.EnqueueAsync(new TwinArgs(1)));
        Assert.Contains("Several tasks take TwinArgs", error.Message);
        Assert.Contains("test.twin-a", error.Message);
        Assert.Contains("test.twin-b", error.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Client.EnqueueManyAsync(AsyncItems(new TwinArgs(1))));

        await Client.EnqueueAsync("test.twin-b", new TwinArgs(2));
        Assert.Equal("test.twin-b", (await ReceiveOneAsync("default")).Task);
    }

    private static async IAsyncEnumerable<T> AsyncItems<T>(params T[] items)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }
}
