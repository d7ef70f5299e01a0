using System.Text;
using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.Tests.Infrastructure;

namespace Celeriac.Tests;

public sealed class DeadLetterReplayerTests
{
    private readonly InMemoryBroker _broker = new();

    private async Task DeadLetterAsync(string queue, byte[] body, string reason = "max retries (3) exceeded")
    {
        await _broker.SendAsync([new OutgoingMessage(queue, body)], CancellationToken.None);
        var message = Assert.Single(await _broker.ReceiveAsync([queue], 1, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None));
        await _broker.DeadLetterAsync(message, reason, CancellationToken.None);
    }

    private static byte[] Envelope(string id, int attempt, string queue = "default") => EnvelopeSerializer.Serialize(new TaskEnvelope
    {
        Id = id,
        Task = "test.echo",
        Args = EnvelopeSerializer.SerializeArgs(new EchoArgs(id)),
        Queue = queue,
        Attempt = attempt,
        Eta = DateTimeOffset.UtcNow.AddMinutes(-5),
        Created = DateTimeOffset.UtcNow.AddMinutes(-10),
    });

    private async Task<List<BrokerMessage>> ReceiveAllAsync(string queue) =>
        [.. await _broker.ReceiveAsync([queue], 100, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None)];

    [Fact]
    public async Task Replays_with_attempt_reset_and_deletes_the_dead_letter()
    {
        await DeadLetterAsync("default", Envelope("a", attempt: 3));

        var replayed = await new DeadLetterReplayer(_broker, _broker).ReplayAsync(null, null, 100, CancellationToken.None);

        Assert.Equal(1, replayed);
        Assert.Empty(await _broker.ListDeadLettersAsync(null, 100, CancellationToken.None));
        var envelope = EnvelopeSerializer.Deserialize(Assert.Single(await ReceiveAllAsync("default")).Body.Span);
        Assert.Equal("a", envelope.Id);
        Assert.Equal(0, envelope.Attempt);
        Assert.Null(envelope.Eta);
        Assert.Equal("a", envelope.Args.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Replays_only_the_chosen_queue_ids_and_limit()
    {
        await DeadLetterAsync("q1", Envelope("a", 1, "q1"));
        await DeadLetterAsync("q1", Envelope("b", 1, "q1"));
        await DeadLetterAsync("q2", Envelope("c", 1, "q2"));
        await DeadLetterAsync("q1", Envelope("d", 1, "q1"));
        var replayer = new DeadLetterReplayer(_broker, _broker);

        Assert.Equal(1, await replayer.ReplayAsync("q1", null, 1, CancellationToken.None));
        var letters = await _broker.ListDeadLettersAsync(null, 100, CancellationToken.None);
        var idOfD = letters.Single(l => EnvelopeSerializer.Deserialize(l.Body.Span).Id == "d").Id;
        Assert.Equal(1, await replayer.ReplayAsync(null, [idOfD], 100, CancellationToken.None));

        Assert.Equal(["a", "d"], (await ReceiveAllAsync("q1")).Select(m => EnvelopeSerializer.Deserialize(m.Body.Span).Id).Order());
        Assert.Empty(await ReceiveAllAsync("q2"));
        Assert.Equal(["b", "c"], (await _broker.ListDeadLettersAsync(null, 100, CancellationToken.None)).Select(l => EnvelopeSerializer.Deserialize(l.Body.Span).Id).Order());
    }

    [Fact]
    public async Task Unparseable_bodies_are_replayed_byte_for_byte()
    {
        await DeadLetterAsync("default", Encoding.UTF8.GetBytes("garbage"));
        await DeadLetterAsync("default", Encoding.UTF8.GetBytes("""{"v":1,"id":"no-args","task":"test.echo","queue":"default","attempt":4}"""));

        Assert.Equal(2, await new DeadLetterReplayer(_broker, _broker).ReplayAsync(null, null, 100, CancellationToken.None));

        var bodies = (await ReceiveAllAsync("default")).Select(m => Encoding.UTF8.GetString(m.Body.Span)).ToList();
        Assert.Contains("garbage", bodies);
        var noArgs = EnvelopeSerializer.Deserialize(Encoding.UTF8.GetBytes(bodies.Single(b => b != "garbage")));
        Assert.Equal(("no-args", 0), (noArgs.Id, noArgs.Attempt));
        Assert.Empty(await _broker.ListDeadLettersAsync(null, 100, CancellationToken.None));
    }

    [Fact]
    public async Task Nothing_to_replay_returns_zero() =>
        Assert.Equal(0, await new DeadLetterReplayer(_broker, _broker).ReplayAsync(null, null, 10, CancellationToken.None));

    [Fact]
    public async Task A_replayed_task_runs_again_with_a_fresh_retry_budget()
    {
        await using var app = await TestApp.CreateWorker(script: o => { o.MaxRetries = 1; o.RetryBackoff = TimeSpan.FromMilliseconds(10); }).StartAsync();
        var fixedNow = false;
        app.Probe.Handler = (_, _) => Volatile.Read(ref fixedNow) ? Task.CompletedTask : throw new InvalidOperationException("bug");
        await app.EnqueueScriptAsync("job");
        await Eventually.Until(async () => (await app.DeadLettersAsync()).Count == 1, "the task is dead-lettered");

        Volatile.Write(ref fixedNow, true);
        Assert.Equal(1, await new DeadLetterReplayer(app.Broker, app.Broker).ReplayAsync(null, null, 10, CancellationToken.None));

        await Eventually.Until(() => app.Probe.Finished.Count == 3, "the replayed task ran");
        Assert.Equal([0, 1, 0], app.Probe.Started.Select(r => r.Attempt));
        Assert.Empty(await app.DeadLettersAsync());
    }
}
