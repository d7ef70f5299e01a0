using System.Text;
using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.ServiceBus.Client;
using Celeriac.ServiceBus.Fake;
using Celeriac.ServiceBus.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Tests;

/// <summary>What the Service Bus broker does beyond the shared contract: message ids, TimeToLive, the service's own dead letters, size limit, parallel receivers.</summary>
public sealed class ServiceBusBrokerTests(FakeServiceBusFixture fixture) : IClassFixture<FakeServiceBusFixture>, IDisposable
{
    private readonly ServiceBusBrokerOptions _options = ServiceBusTestBrokers.Options(fixture.Fake, fixture.NewPrefix());
    private ServiceBusBroker? _broker;

    private ServiceBusBroker Broker => _broker ??= ServiceBusTestBrokers.Broker(_options);

    public void Dispose() => _broker?.Dispose();

    private static OutgoingMessage Task(string id, int attempt, DateTimeOffset? expires = null) => new("default", EnvelopeSerializer.Serialize(new TaskEnvelope
    {
        Id = id, Task = "orders.ship", Queue = "default", Attempt = attempt, Created = DateTimeOffset.UtcNow, Expires = expires,
        Headers = new Dictionary<string, string> { ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
    }));

    [Fact]
    public async Task The_message_id_is_the_task_id_so_duplicate_detection_drops_a_task_sent_twice_but_not_its_retry()
    {
        fixture.Fake.CreateQueue(Broker.QueueName("default"), new FakeQueueSettings { RequiresDuplicateDetection = true });

        await Broker.SendAsync([Task("a", 0), Task("b", 0)], CancellationToken.None);
        await Broker.SendAsync([Task("a", 0), Task("a", 1)], CancellationToken.None);

        Assert.Equal(3, (await Broker.GetDepthAsync("default", CancellationToken.None)).Ready);
        using var client = ServiceBusTestBrokers.Client(_options);
        var first = await client.PeekLockAsync(Broker.QueueName("default"), 0, CancellationToken.None);
        Assert.Equal("a", first!.MessageId);
        Assert.Equal("orders.ship", first.Properties["celeriac-task"]);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", first.Properties["celeriac-h-traceparent"]);
    }

    [Fact]
    public async Task A_task_past_its_expiry_is_dropped_by_the_service_through_its_TimeToLive()
    {
        await Broker.SendAsync([Task("short", 0, DateTimeOffset.UtcNow.AddSeconds(1)), Task("long", 0, DateTimeOffset.UtcNow.AddHours(1))], CancellationToken.None);
        await System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(2.2));

        var received = await Broker.ReceiveAsync(["default"], 10, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None);
        Assert.Equal("long", EnvelopeSerializer.Deserialize(Assert.Single(received).Body.Span).Id);
    }

    [Fact]
    public async Task Messages_the_service_dead_lettered_past_MaxDeliveryCount_are_listed_and_deleted_with_its_reason()
    {
        fixture.Fake.CreateQueue(Broker.QueueName("default"), new FakeQueueSettings { MaxDeliveryCount = 2, LockDuration = TimeSpan.FromSeconds(1) });
        await Broker.SendAsync([new OutgoingMessage("default", "crashes workers"u8.ToArray())], CancellationToken.None);
        for (var i = 0; i < 2; i++)
        {
            var message = Assert.Single(await Broker.ReceiveAsync(["default"], 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), CancellationToken.None));
            await Broker.ReleaseAsync(message, TimeSpan.Zero, CancellationToken.None);
        }

        Assert.Equal(0, (await Broker.GetDepthAsync("default", CancellationToken.None)).Total);
        var letter = Assert.Single(await Broker.ListDeadLettersAsync("default", 10, CancellationToken.None));
        Assert.Equal("default", letter.Queue);
        Assert.Equal("crashes workers", Encoding.UTF8.GetString(letter.Body.Span));
        Assert.StartsWith("dead-lettered by Service Bus: MaxDeliveryCountExceeded", letter.Reason, StringComparison.Ordinal);
        Assert.Single(await Broker.ListDeadLettersAsync(null, 10, CancellationToken.None));

        Assert.Equal(1, await Broker.DeleteDeadLettersAsync([letter.Id], CancellationToken.None));
        Assert.Empty(await Broker.ListDeadLettersAsync(null, 10, CancellationToken.None));
    }

    [Fact]
    public async Task A_message_over_the_size_limit_fails_at_enqueue_and_nothing_of_the_batch_is_sent()
    {
        var small = new OutgoingMessage("big", "fine"u8.ToArray());
        var large = new OutgoingMessage("big", Encoding.UTF8.GetBytes(new string('x', 256 * 1024 + 1)));

        var error = await Assert.ThrowsAsync<ServiceBusMessageTooLargeException>(async () => await Broker.SendAsync([small, large], CancellationToken.None));

        Assert.Equal("big", error.Queue);
        Assert.Contains("object store", error.Message, StringComparison.Ordinal);
        Assert.False(fixture.Fake.QueueExists(Broker.QueueName("big")));
    }

    [Fact]
    public async Task A_receive_with_many_free_slots_keeps_several_peek_locks_in_flight()
    {
        await Broker.SendAsync([.. Enumerable.Range(0, 64).Select(i => new OutgoingMessage("default", Encoding.UTF8.GetBytes($"m{i}")))], CancellationToken.None);
        var gate = new ConcurrencyGauge();
        using var broker = new ServiceBusBroker(ServiceBusTestBrokers.Client(_options, gate), _options, ownsClient: true);

        var received = await broker.ReceiveAsync(["default"], 64, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(64, received.Count);
        Assert.True(gate.Peak > 1, $"at most {gate.Peak} request in flight");
        Assert.True(gate.Peak <= _options.ConcurrentReceivers, $"{gate.Peak} requests in flight, more than {_options.ConcurrentReceivers} receivers");
        await broker.AckAsync(received, CancellationToken.None);
        Assert.Equal(0, (await broker.GetDepthAsync("default", CancellationToken.None)).Total);
    }

    [Fact]
    public async Task A_lock_is_counted_from_its_request_so_a_slow_answer_does_not_let_it_lapse()
    {
        await Broker.SendAsync([new OutgoingMessage("default", Encoding.UTF8.GetBytes("first")), new OutgoingMessage("default", Encoding.UTF8.GetBytes("second"))], CancellationToken.None);
        // One peek-lock's answer is held back for 80 % of the lock: most of it has passed when the answer arrives.
        var slow = new SlowSecondPeekLock(_options.LockDuration * 0.8);
        using var broker = new ServiceBusBroker(ServiceBusTestBrokers.Client(_options, slow), _options, ownsClient: true);

        var received = await broker.ReceiveAsync(["default"], 2, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(2, received.Count);
        await System.Threading.Tasks.Task.Delay(_options.LockDuration * 2.5);

        // Both locks were renewed in time: nothing came back for another receiver, and both complete.
        Assert.Empty(await Broker.ReceiveAsync(["default"], 2, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None));
        Assert.Equal((0, 0, 0), fixture.Fake.CountsOf(Broker.QueueName("default") + "/$DeadLetterQueue"));
        await broker.AckAsync(received, CancellationToken.None);
        Assert.Equal(0, (await broker.GetDepthAsync("default", CancellationToken.None)).Total);
    }

    /// <summary>Holds back the answer of the second peek-lock request.</summary>
    private sealed class SlowSecondPeekLock(TimeSpan delay) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _peekLocks;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/messages/head", StringComparison.Ordinal)
                && Interlocked.Increment(ref _peekLocks) == 2)
                await System.Threading.Tasks.Task.Delay(delay, cancellationToken);
            return response;
        }
    }

    /// <summary>Measures how many requests are in flight at once.</summary>
    private sealed class ConcurrencyGauge() : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _now;
        private int _peak;
        public int Peak => Volatile.Read(ref _peak);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _now);
            int peak;
            while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak) { }
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _now);
            }
        }
    }
}
