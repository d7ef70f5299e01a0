using System.Text;
using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Celeriac.ServiceBus.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Tests;

/// <summary>The <c>celeriac</c> CLI as a process on the AMQP peer, configured through the environment the way the worker is.</summary>
public sealed class ServiceBusCliTests(ServiceBusPeerFixture fixture) : IClassFixture<ServiceBusPeerFixture>
{
    private async Task<(int Code, string Output)> CliAsync(string prefix, params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["Celeriac__Broker__ServiceBus__ConnectionString"] = fixture.Peer.ConnectionString,
            ["Celeriac__Broker__ServiceBus__QueuePrefix"] = prefix,
            ["Celeriac__Broker__ServiceBus__AutoCreateQueues"] = "true",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        await using var process = LocalWorkerProcess.Start(["--broker", "serviceBus", .. args], environment, workerPath: Path.Combine(AppContext.BaseDirectory, "celeriac.dll"));
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code ?? -1, process.Output);
    }

    [Fact]
    public async Task Enqueue_queues_dead_letters_replay_and_purge_work_through_the_same_broker_selection()
    {
        await using var scenario = new ServiceBusScenario(fixture.Peer, fixture.NewPrefix());
        var queue = scenario.Prefix + "default";

        var (enqueued, id) = await CliAsync(scenario.Prefix, "enqueue", "demo.record", "--args", """{"milliseconds": 1}""", "--queue", "default");
        Assert.True(enqueued == 0, id);
        Assert.True(Guid.TryParse(id.Trim(), out _), id);
        Assert.Equal(id.Trim(), Assert.Single(fixture.Peer.Messages(queue)).MessageId);
        await scenario.Client.EnqueueAsync(new RecordArgs(1), new Celeriac.Client.EnqueueOptions { Countdown = TimeSpan.FromHours(1) });

        var (listed, queues) = await CliAsync(scenario.Prefix, "queues");
        Assert.True(listed == 0, queues);
        Assert.Matches(@"default\s+1\s+0\s+1", queues);

        // One poison message, dead-lettered by the broker with its reason.
        await scenario.Broker.SendAsync([new OutgoingMessage("default", "{not json"u8.ToArray())], CancellationToken.None);
        var received = new List<BrokerMessage>();
        while (received.Count < 2) received.AddRange(await scenario.Broker.ReceiveAsync(["default"], 10, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), CancellationToken.None));
        var poison = received.Single(m => m.Body.Span.SequenceEqual("{not json"u8));
        var task = received.Single(m => m != poison);
        await scenario.Broker.DeadLetterAsync(poison, "unparseable body", CancellationToken.None);
        // And the task, as a worker would after its retries.
        await scenario.Broker.DeadLetterAsync(task, "max retries (3) exceeded: boom", CancellationToken.None);
        var deliveries = fixture.Peer.DeadLetters(queue).Select(m => m.DeliveryCount).ToList();

        for (var i = 0; i < 2; i++)
        {
            var (deadCode, dead) = await CliAsync(scenario.Prefix, "dead-letters", "list");
            Assert.True(deadCode == 0, dead);
            Assert.Contains("unparseable body", dead, StringComparison.Ordinal);
            Assert.Contains("max retries (3) exceeded: boom", dead, StringComparison.Ordinal);
            Assert.Contains("2 dead letters", dead, StringComparison.Ordinal);
        }
        // Listing is a peek: the letters' delivery counts are what they were, and none is locked.
        Assert.Equal(deliveries, fixture.Peer.DeadLetters(queue).Select(m => m.DeliveryCount));
        Assert.All(fixture.Peer.DeadLetters(queue), m => Assert.Null(m.LockedUntil));

        // Replay one by its id: it is sent again (attempt 0) and completed in the dead-letter queue.
        var letters = await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None);
        var replayed = letters.Single(l => l.Reason.StartsWith("max retries", StringComparison.Ordinal));
        var (replayCode, replay) = await CliAsync(scenario.Prefix, "dead-letters", "replay", "--id", replayed.Id);
        Assert.True(replayCode == 0, replay);
        Assert.Contains("Replayed 1 dead letters", replay, StringComparison.Ordinal);
        Assert.Equal("{not json", Encoding.UTF8.GetString(Assert.Single(fixture.Peer.DeadLetters(queue)).Body!));
        var resent = fixture.Peer.Messages(queue).Where(m => m.State == Celeriac.ServiceBus.Peer.PeerMessageState.Active).ToList();
        Assert.Equal(EnvelopeSerializer.Deserialize(replayed.Body.Span).Id, EnvelopeSerializer.Deserialize(Assert.Single(resent).Body).Id);

        var (purged, purge) = await CliAsync(scenario.Prefix, "purge", "default", "--yes");
        Assert.True(purged == 0, purge);
        Assert.Contains("Purged 2 messages", purge, StringComparison.Ordinal);
        Assert.Equal(default, await scenario.DepthAsync());
    }
}
