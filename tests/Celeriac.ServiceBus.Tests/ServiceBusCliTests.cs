using Celeriac.Brokers;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Celeriac.ServiceBus.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Tests;

/// <summary>The <c>celeriac</c> CLI as a process against the fake namespace, configured through the environment the way the worker is.</summary>
public sealed class ServiceBusCliTests(FakeServiceBusFixture fixture) : IClassFixture<FakeServiceBusFixture>
{
    private async Task<(int Code, string Output)> CliAsync(string prefix, params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["Celeriac__Broker__ServiceBus__ConnectionString"] = fixture.Fake.ConnectionString,
            ["Celeriac__Broker__ServiceBus__QueuePrefix"] = prefix,
            ["Celeriac__Broker__ServiceBus__AutoCreateQueues"] = "true",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        await using var process = LocalWorkerProcess.Start(["--broker", "serviceBus", .. args], environment, workerPath: Path.Combine(AppContext.BaseDirectory, "celeriac.dll"));
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code ?? -1, process.Output);
    }

    [Fact]
    public async Task Enqueue_queues_dead_letters_and_purge_work_through_the_same_broker_selection()
    {
        await using var scenario = new ServiceBusScenario(fixture.Fake, fixture.NewPrefix());

        var (enqueued, id) = await CliAsync(scenario.Prefix, "enqueue", "demo.record", "--args", """{"milliseconds": 1}""", "--queue", "default");
        Assert.True(enqueued == 0, id);
        Assert.True(Guid.TryParse(id.Trim(), out _), id);
        await scenario.Client.EnqueueAsync(new RecordArgs(1), new Celeriac.Client.EnqueueOptions { Countdown = TimeSpan.FromHours(1) });

        var (listed, queues) = await CliAsync(scenario.Prefix, "queues");
        Assert.True(listed == 0, queues);
        Assert.Matches(@"default\s+1\s+0\s+1", queues);

        await scenario.Broker.SendAsync([new OutgoingMessage("default", "{not json"u8.ToArray())], CancellationToken.None);
        var poison = (await scenario.Broker.ReceiveAsync(["default"], 10, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), CancellationToken.None)).ToList();
        var letter = poison.Single(m => m.Body.Span.SequenceEqual("{not json"u8));
        await scenario.Broker.DeadLetterAsync(letter, "unparseable body", CancellationToken.None);
        await scenario.Broker.ReleaseAsync(poison.Single(m => m != letter), TimeSpan.Zero, CancellationToken.None);
        var (deadCode, dead) = await CliAsync(scenario.Prefix, "dead-letters", "list");
        Assert.True(deadCode == 0, dead);
        Assert.Contains("unparseable body", dead, StringComparison.Ordinal);

        var (purged, purge) = await CliAsync(scenario.Prefix, "purge", "default", "--yes");
        Assert.True(purged == 0, purge);
        Assert.Contains("Purged 2 messages", purge, StringComparison.Ordinal);
        Assert.Equal(default, await scenario.DepthAsync());
    }
}
