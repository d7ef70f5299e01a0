using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Envelope;
using Celeriac.Registry;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Celeriac.Tests;

/// <summary>
/// A producer that sends tasks by name without their code (another service, the CLI) routes, locks and expires them as
/// the live workers published them in the registry, and is told when a name is one those workers would not know.
/// </summary>
public sealed class ProducerWithoutTheCodeTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private TestApp _app = null!;

    private Task StartAsync(Dictionary<string, string?>? configuration = null)
    {
        _app = TestApp.Create(_ => { }, configuration, services => services.AddSingleton<TimeProvider>(_time), new InMemoryBroker(_time));
        return Task.CompletedTask;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    /// <summary>A worker's entry as its heartbeat writes it: it consumes <c>reports</c> and <c>default</c>.</summary>
    private async Task WorkerHeartbeatAsync(DateTimeOffset at) =>
        await _app.Services.GetRequiredService<IWorkerRegistry>().HeartbeatAsync(new WorkerInfo
        {
            Id = "node-1:42:abcdef",
            Host = "node-1",
            Queues = ["reports", "default"],
            HeartbeatAt = at,
            Tasks =
            [
                new RegisteredTask("reports.build", "reports", null, null, null, 3, true, false)
                {
                    Lock = "SkipAtEnqueue", LockKeyFields = ["customerId"], Expires = TimeSpan.FromHours(1),
                },
            ],
        }, TimeSpan.FromMinutes(10), CancellationToken.None);

    private async Task<IReadOnlyList<TaskEnvelope>> ReceiveAsync(string queue)
    {
        var messages = await _app.Broker.ReceiveAsync([queue], 10, TimeSpan.FromDays(1), TimeSpan.Zero, CancellationToken.None);
        return [.. messages.Select(m => EnvelopeSerializer.Deserialize(m.Body.Span))];
    }

    [Fact]
    public async Task A_task_is_routed_locked_and_expired_as_the_live_workers_published_it()
    {
        await StartAsync();
        await WorkerHeartbeatAsync(_time.GetUtcNow());

        var first = await _app.Client.EnqueueAsync("reports.build", new { customerId = 7, day = 1 });
        var duplicate = await _app.Client.EnqueueAsync("reports.build", new { customerId = 7, day = 2 });

        Assert.Equal(first, duplicate);
        var sent = Assert.Single(await ReceiveAsync("reports"));
        Assert.Equal(first, sent.Id);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(1), sent.Expires);
        Assert.Equal(0, (await _app.DepthAsync()).Total);
    }

    [Fact]
    public async Task A_name_the_live_workers_of_its_queue_do_not_register_is_refused_and_nothing_is_sent()
    {
        await StartAsync();
        await WorkerHeartbeatAsync(_time.GetUtcNow());

        var refused = await Assert.ThrowsAsync<UnknownTaskException>(() => _app.Client.EnqueueAsync("reports.biuld", new { customerId = 7 }));
        var many = await Assert.ThrowsAsync<UnknownTaskException>(() => _app.Client.EnqueueManyAsync("reports.biuld", AsyncItems(1, 2)));

        Assert.Contains("'reports.biuld'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("reports.build", refused.Message, StringComparison.Ordinal);
        Assert.Equal("default", many.Queue);
        Assert.Equal(0, (await _app.DepthAsync()).Total);
    }

    [Fact]
    public async Task A_name_sent_to_a_queue_no_live_worker_consumes_goes_out_since_a_worker_the_registry_cannot_see_may_run_it()
    {
        await StartAsync();
        await WorkerHeartbeatAsync(_time.GetUtcNow());

        var id = await _app.Client.EnqueueAsync("tasks.add", new object[] { 2, 3 }, new EnqueueOptions { Queue = "celery" });

        Assert.Equal(id, Assert.Single(await ReceiveAsync("celery")).Id);
    }

    [Fact]
    public async Task Refusing_unknown_names_can_be_turned_off()
    {
        await StartAsync(new() { ["Celeriac:Registry:RefuseUnknownTasks"] = "false" });
        await WorkerHeartbeatAsync(_time.GetUtcNow());

        var id = await _app.Client.EnqueueAsync("reports.biuld", new { customerId = 7 });

        Assert.Equal(id, Assert.Single(await ReceiveAsync("default")).Id);
    }

    [Fact]
    public async Task A_lost_worker_publishes_nothing()
    {
        await StartAsync();
        await WorkerHeartbeatAsync(_time.GetUtcNow() - TimeSpan.FromMinutes(1));

        var unknown = await _app.Client.EnqueueAsync("reports.biuld", new { customerId = 7 });
        var known = await _app.Client.EnqueueAsync("reports.build", new { customerId = 7 });

        Assert.Equal([unknown, known], (await ReceiveAsync("default")).Select(e => e.Id));
    }

    [Fact]
    public async Task What_the_workers_publish_is_read_again_after_a_while()
    {
        await StartAsync();
        Assert.Equal("default", Assert.Single(await SendAndReceiveAsync()).Queue);

        await WorkerHeartbeatAsync(_time.GetUtcNow());
        _time.Advance(RegisteredTasks.MaxAge);

        Assert.Equal("reports", Assert.Single(await SendAndReceiveAsync()).Queue);
    }

    private async Task<IReadOnlyList<TaskEnvelope>> SendAndReceiveAsync()
    {
        await _app.Client.EnqueueAsync("reports.build", new { customerId = Guid.NewGuid() });
        return [.. await ReceiveAsync("default"), .. await ReceiveAsync("reports")];
    }

    private static async IAsyncEnumerable<int> AsyncItems(params int[] items)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }
}
