using Celeriac.Client;
using Celeriac.Envelope;
using Celeriac.Tests.Infrastructure;

namespace Celeriac.Tests;

public sealed class EnqueueManyTests
{
    private sealed class CountingSource(int count)
    {
        private int _produced;
        public int Produced => Volatile.Read(ref _produced);

        public async IAsyncEnumerable<EchoArgs> ReadAsync()
        {
            for (var i = 0; i < count; i++)
            {
                if (i % 37 == 0) await Task.Yield();
                Interlocked.Increment(ref _produced);
                yield return new EchoArgs("item-" + i);
            }
        }
    }

    private static (TestApp App, RecordingBroker Broker) Create(int batchSize)
    {
        RecordingBroker? recording = null;
        var app = TestApp.Create(
            c => c.AddTask<EchoTask>().UseBroker(_ => recording!),
            new Dictionary<string, string?> { ["Celeriac:EnqueueBatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        recording = new RecordingBroker(app.Broker);
        return (app, recording);
    }

    [Fact]
    public async Task Sends_in_batches_of_the_configured_size_reading_the_source_lazily()
    {
        var (app, broker) = Create(batchSize: 100);
        await using var _ = app;
        var source = new CountingSource(1050);
        var sentBefore = 0;
        var readAhead = new List<int>();
        broker.OnSend = batch =>
        {
            // How many items the source had produced beyond what the broker already holds, at the time of this send.
            readAhead.Add(source.Produced - sentBefore);
            sentBefore += batch.Count;
        };

        var count = await app.Client.EnqueueManyAsync(source.ReadAsync());

        Assert.Equal(1050, count);
        Assert.Equal([.. Enumerable.Repeat(100, 10), 50], broker.BatchSizes.ToArray());
        Assert.All(readAhead, ahead => Assert.InRange(ahead, 1, 100));
        Assert.Equal(1050, (await app.DepthAsync()).Ready);
        var envelopes = broker.SentEnvelopes.ToList();
        Assert.Equal(1050, envelopes.Select(e => e.Id).Distinct().Count());
        Assert.All(envelopes, e => Assert.Equal("test.echo", e.Task));
        Assert.Equal("item-1049", envelopes[^1].Args.GetProperty("text").GetString());
    }

    [Fact]
    public async Task By_name_with_options_applies_them_to_every_message()
    {
        var (app, broker) = Create(batchSize: 4);
        await using var _ = app;

        var count = await app.Client.EnqueueManyAsync("test.echo", new CountingSource(10).ReadAsync(), new EnqueueOptions { Queue = "bulk", Countdown = TimeSpan.FromHours(1) });

        Assert.Equal(10, count);
        Assert.Equal([4, 4, 2], broker.BatchSizes.ToArray());
        Assert.All(broker.SentMessages, s => Assert.Equal("bulk", s.Message.Queue));
        Assert.All(broker.SentMessages, s => Assert.NotNull(s.Message.NotBefore));
        Assert.Equal(10, (await app.DepthAsync("bulk")).Delayed);
    }

    [Fact]
    public async Task An_empty_source_sends_nothing()
    {
        var (app, broker) = Create(batchSize: 10);
        await using var _ = app;
        Assert.Equal(0, await app.Client.EnqueueManyAsync(new CountingSource(0).ReadAsync()));
        Assert.Empty(broker.BatchSizes);
    }

    [Fact]
    public async Task A_fixed_task_id_is_refused()
    {
        var (app, _) = Create(batchSize: 10);
        await using var __ = app;
        await Assert.ThrowsAsync<ArgumentException>(() => app.Client.EnqueueManyAsync(new CountingSource(3).ReadAsync(), new EnqueueOptions { TaskId = "same" }));
    }
}
