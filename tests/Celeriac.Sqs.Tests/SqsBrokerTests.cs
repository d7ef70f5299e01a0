using System.Diagnostics;
using System.Text;
using Amazon.SQS.Model;
using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.Sqs.Tests.Infrastructure;
using Celeriac.Testing.Sqs;

namespace Celeriac.Sqs.Tests;

/// <summary>What the SQS broker does beyond the shared contract: size limit, long countdowns, FIFO, request economy.</summary>
public sealed class SqsBrokerTests(SqsEmulator emulator) : IClassFixture<SqsEmulator>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly SqsBrokerOptions _options = SqsTestBrokers.Options(emulator, emulator.NewPrefix());
    private readonly SqsRequestCounter _counter = new();
    private SqsBroker? _broker;

    private SqsBroker Broker => _broker ??= SqsTestBrokers.Broker(_options, _counter);

    [Fact]
    public async Task A_message_over_the_size_limit_fails_at_enqueue_and_nothing_of_the_batch_is_sent()
    {
        var small = new OutgoingMessage("big", "fine"u8.ToArray());
        var large = new OutgoingMessage("big", Encoding.UTF8.GetBytes(new string('x', 256 * 1024 + 1)));

        var error = await Assert.ThrowsAsync<MessageTooLargeException>(async () => await Broker.SendAsync([small, large], CancellationToken.None));

        Assert.Equal("big", error.Queue);
        Assert.Equal(256 * 1024, error.Limit);
        Assert.Contains("object store", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _counter.Of("SendMessageBatch"));
    }

    [Fact]
    public async Task A_countdown_beyond_fifteen_minutes_is_sent_with_the_longest_delay_and_its_due_time()
    {
        var due = DateTimeOffset.UtcNow.AddHours(2);

        await Broker.SendAsync([new OutgoingMessage("default", "later"u8.ToArray(), due), new OutgoingMessage("default", "soon"u8.ToArray(), DateTimeOffset.UtcNow.AddSeconds(90))], CancellationToken.None);

        // What the SDK put on the wire, as SQS would read it.
        var entries = _counter.Bodies("SendMessageBatch").SelectMany(b => b["Entries"]!.AsArray()).Select(e => e!.AsObject()).ToList();
        Assert.All(_counter.Bodies("SendMessageBatch"), b => Assert.Equal(Broker.QueueUrl("default"), b["QueueUrl"]!.GetValue<string>()));
        var later = entries.Single(e => e["MessageBody"]!.GetValue<string>() == "later");
        Assert.Equal(900, later["DelaySeconds"]!.GetValue<int>());
        Assert.Equal(due.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), later["MessageAttributes"]!["celeriac-not-before"]!["StringValue"]!.GetValue<string>());
        var soon = entries.Single(e => e["MessageBody"]!.GetValue<string>() == "soon");
        Assert.InRange(soon["DelaySeconds"]!.GetValue<int>(), 85, 90);
        Assert.Null(soon["MessageAttributes"]);
        Assert.Equal(2, (await Broker.GetDepthAsync("default", CancellationToken.None)).Delayed);
    }

    [Fact]
    public async Task A_message_that_surfaces_before_its_due_time_is_delayed_again_and_runs_once_when_due()
    {
        // What a hop of a long countdown looks like when its 15 minutes are over but the due time is not.
        using var raw = SqsTestBrokers.Client(_options);
        var url = (await raw.CreateQueueAsync(SqsQueueUrls.Name(Broker.QueueUrl("hops")))).QueueUrl;
        var due = DateTimeOffset.UtcNow.AddSeconds(3);
        await raw.SendMessageAsync(new SendMessageRequest(url, "hop")
        {
            MessageAttributes = new() { ["celeriac-not-before"] = new MessageAttributeValue { DataType = "String", StringValue = due.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) } },
        });

        var clock = Stopwatch.StartNew();
        var early = await Broker.ReceiveAsync(["hops"], 10, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None);
        Assert.Empty(early);
        Assert.Equal(1, (await Broker.GetDepthAsync("hops", CancellationToken.None)).Delayed);

        var received = new List<BrokerMessage>();
        while (received.Count == 0 && clock.Elapsed < Patience)
            received.AddRange(await Broker.ReceiveAsync(["hops"], 10, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(2), CancellationToken.None));
        Assert.Equal("hop", Encoding.UTF8.GetString(Assert.Single(received).Body.Span));
        Assert.True(DateTimeOffset.UtcNow >= due.AddMilliseconds(-50), "delivered before its due time");
        await Broker.AckAsync(received, CancellationToken.None);
        Assert.Equal(default, await Broker.GetDepthAsync("hops", CancellationToken.None));
    }

    [Fact]
    public async Task Fifo_queues_deduplicate_by_task_id_and_attempt_and_keep_the_group_order()
    {
        // As the publisher builds them: the message id and the headers travel beside the body.
        static OutgoingMessage Task(string id, int attempt, string group) => EnvelopeMessages.ToOutgoing(new TaskEnvelope
        {
            Id = id, Task = "orders.ship", Queue = "orders.fifo", Attempt = attempt, Created = DateTimeOffset.UtcNow,
            Headers = new Dictionary<string, string> { ["message-group"] = group },
        });

        await Broker.SendAsync([Task("a", 0, "customer-1"), Task("b", 0, "customer-1"), Task("c", 0, "customer-2")], CancellationToken.None);
        await Broker.SendAsync([Task("a", 0, "customer-1"), Task("a", 1, "customer-1")], CancellationToken.None);

        var received = new List<BrokerMessage>();
        var clock = Stopwatch.StartNew();
        while (received.Count < 4 && clock.Elapsed < Patience)
        {
            var batch = await Broker.ReceiveAsync(["orders.fifo"], 10, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), CancellationToken.None);
            received.AddRange(batch);
            await Broker.AckAsync(batch, CancellationToken.None);
        }
        var envelopes = received.Select(m => EnvelopeSerializer.Deserialize(m.Body.Span)).ToList();
        Assert.Equal(["a:0", "a:1", "b:0", "c:0"], envelopes.Select(e => $"{e.Id}:{e.Attempt}").Order(StringComparer.Ordinal));
        var firstGroup = envelopes.Where(e => e.GetHeader("message-group") == "customer-1").Select(e => $"{e.Id}:{e.Attempt}").ToList();
        Assert.Equal(["a:0", "b:0", "a:1"], firstGroup);
    }

    [Fact]
    public async Task On_a_fifo_queue_a_delayed_message_is_held_back_by_its_visibility_until_due()
    {
        var clock = Stopwatch.StartNew();
        var due = DateTimeOffset.UtcNow.AddSeconds(2);
        await Broker.SendAsync([new OutgoingMessage("later.fifo", "not an envelope"u8.ToArray(), due)], CancellationToken.None);

        Assert.Empty(await Broker.ReceiveAsync(["later.fifo"], 10, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None));
        var received = new List<BrokerMessage>();
        while (received.Count == 0 && clock.Elapsed < Patience)
            received.AddRange(await Broker.ReceiveAsync(["later.fifo"], 10, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), CancellationToken.None));

        Assert.Equal("not an envelope", Encoding.UTF8.GetString(Assert.Single(received).Body.Span));
        Assert.True(DateTimeOffset.UtcNow >= due.AddMilliseconds(-50), "delivered before its due time");
    }

    [Fact]
    public async Task Empty_lower_priority_queues_are_not_asked_on_every_receive()
    {
        await Broker.SendAsync([.. Enumerable.Range(0, 200).Select(i => new OutgoingMessage("busy", Encoding.UTF8.GetBytes($"m{i}")))], CancellationToken.None);
        await Broker.SendAsync([new OutgoingMessage("idle", "x"u8.ToArray())], CancellationToken.None);
        var first = await Broker.ReceiveAsync(["idle"], 10, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None);
        await Broker.AckAsync(first, CancellationToken.None);
        _counter.Reset();

        var taken = 0;
        var clock = Stopwatch.StartNew();
        while (taken < 200 && clock.Elapsed < Patience)
        {
            var batch = await Broker.ReceiveAsync(["idle", "busy"], 10, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None);
            taken += batch.Count;
        }

        Assert.Equal(200, taken);
        // 20 full batches from the busy queue; the empty one is asked again only after its back-off.
        Assert.True(_counter.Of("ReceiveMessage") < 20 * 1.5, $"{_counter.Of("ReceiveMessage")} receives for 20 batches");
    }
}
