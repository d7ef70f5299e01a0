using System.Collections.Concurrent;
using System.Diagnostics;
using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.FanOut;
using Celeriac.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Celeriac.Hosting;

namespace Celeriac.Tests;

/// <summary>Chunked fan-out on the in-memory broker: bounded memory and backlog with a real consumer draining, and resume after a crash.</summary>
public sealed class FanOutTests(ITestOutputHelper output)
{
    private static (TestApp App, DepthRecordingBroker Broker) Create(InMemoryFanOutProgressStore? store = null)
    {
        DepthRecordingBroker? recording = null;
        var app = TestApp.Create(c =>
        {
            c.AddTask<SquareTask>();
            c.UseBroker(sp =>
            {
                var broker = sp.GetRequiredService<InMemoryBroker>();
                return recording ??= new DepthRecordingBroker(broker, "default");
            });
            if (store is not null) c.UseStore(StoreServices.InMemory with { FanOutProgress = _ => store });
        });
        return (app, (DepthRecordingBroker)app.Services.GetRequiredService<IBroker>());
    }

    private static FanOutClient FanOut(TestApp app) => app.Services.GetRequiredService<FanOutClient>();

    [Fact]
    public async Task A_million_item_range_keeps_memory_flat_and_the_backlog_under_its_bound()
    {
        var (app, broker) = Create();
        await using var _ = app;
        const int total = 1_000_000, chunk = 1000, maxBacklog = 5000;
        using var stop = new CancellationTokenSource();
        long drained = 0;
        var drainer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var messages = await broker.ReceiveAsync(["default"], 500, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(20), CancellationToken.None);
                if (messages.Count == 0) continue;
                await broker.AckAsync(messages, CancellationToken.None);
                Interlocked.Add(ref drained, messages.Count);
            }
        });
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var samples = new ConcurrentQueue<long>();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                samples.Enqueue(GC.GetTotalMemory(forceFullCollection: true));
                // The sampling period, not a wait for anything.
                await Task.Delay(200);
            }
        });

        var clock = Stopwatch.StartNew();
        var report = await FanOut(app).FanOutAsync(new FanOutPlan<long>
        {
            Source = FanOutSource.Range(0, total),
            ChunkSize = chunk,
            MaxBacklog = maxBacklog,
            ProgressKey = "million",
            PollInterval = TimeSpan.FromMilliseconds(5),
        }, i => new Number(i));
        var elapsed = clock.Elapsed;
        await Eventually.Until(() => Interlocked.Read(ref drained) == total, "the consumer drained everything", TimeSpan.FromMinutes(2));
        await stop.CancelAsync();
        await Task.WhenAll(drainer, sampler);

        var peakGrowth = samples.Max() - baseline;
        output.WriteLine($"sent {report.Sent:N0} in {elapsed.TotalSeconds:0.0}s ({report.Sent / elapsed.TotalSeconds:N0}/s), {report.Chunks} chunks; " +
            $"max queue depth {broker.MaxDepth:N0} (bound {maxBacklog + chunk:N0}); managed memory: baseline {baseline / 1e6:0.0} MB, " +
            $"peak growth {peakGrowth / 1e6:0.0} MB over {samples.Count} samples");
        Assert.Equal(new FanOutReport(total, total, total / chunk, false, true), report);
        Assert.Equal(total, broker.Sent);
        Assert.InRange(broker.MaxDepth, chunk, maxBacklog + chunk);
        // A million envelopes would take hundreds of MB and a million ids 8 MB: the producer holds one chunk at a time.
        Assert.True(samples.Count >= 3, "too few memory samples");
        Assert.InRange(peakGrowth, long.MinValue, 16_000_000);
    }

    [Fact]
    public async Task A_restarted_fan_out_resumes_from_its_last_completed_chunk()
    {
        const int total = 20_000, chunk = 500;
        var store = new InMemoryFanOutProgressStore();
        var plan = new FanOutPlan<long> { Source = FanOutSource.Range(0, total), ChunkSize = chunk, MaxBacklog = 1_000_000, ProgressKey = "resume" };
        var seen = new ConcurrentDictionary<long, int>();
        void Record(IReadOnlyList<OutgoingMessage> messages)
        {
            foreach (var message in messages)
                seen.AddOrUpdate(EnvelopeSerializer.Deserialize(message.Body.Span).Args.GetProperty("value").GetInt64(), 1, (_, n) => n + 1);
        }

        // The first producer dies in the middle of a chunk (after 8,250 items: 16 chunks and half of the 17th).
        var (first, firstBroker) = Create(store);
        await using (first)
        {
            using var crash = new CancellationTokenSource();
            firstBroker.AfterSend = messages =>
            {
                Record(messages);
                if (firstBroker.Sent >= 8_250) crash.Cancel();
            };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FanOut(first).FanOutAsync(plan, i => new Number(i), crash.Token));
        }

        var (second, secondBroker) = Create(store);
        await using (second)
        {
            secondBroker.AfterSend = Record;
            var report = await FanOut(second).FanOutAsync(plan, i => new Number(i));
            Assert.True(report.Resumed);
            Assert.True(report.Completed);
            Assert.Equal(total - 16 * chunk, report.Sent);
            Assert.Equal(total, report.TotalSent);

            // A third run under the same key finds it done and sends nothing.
            var again = await FanOut(second).FanOutAsync(plan, i => new Number(i));
            Assert.Equal(new FanOutReport(0, total, 0, true, true), again);
        }

        Assert.Equal(Enumerable.Range(0, total).Select(i => (long)i), seen.Keys.Order());
        var twice = seen.Where(p => p.Value > 1).Select(p => p.Key).Order().ToList();
        Assert.All(seen.Values, n => Assert.InRange(n, 1, 2));
        // Only part of the chunk the crash interrupted was sent twice.
        Assert.NotEmpty(twice);
        Assert.True(twice[^1] - twice[0] < chunk && twice[0] / chunk == twice[^1] / chunk, $"items sent twice span {twice[0]}..{twice[^1]}");
    }

    [Fact]
    public async Task Dates_and_cursors_are_sources_too()
    {
        var (app, broker) = Create();
        await using var _ = app;
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var dates = await FanOut(app).FanOutAsync(new FanOutPlan<DateTimeOffset>
        {
            Source = FanOutSource.Dates(from, from.AddDays(10), TimeSpan.FromDays(1)),
            ChunkSize = 3,
            ProgressKey = "dates",
        }, d => new Number(d.Day));
        Assert.Equal(new FanOutReport(10, 10, 4, false, true), dates);

        var users = Enumerable.Range(0, 25).Select(i => $"user-{i:00}").ToList();
        var cursor = await FanOut(app).FanOutAsync(new FanOutPlan<string>
        {
            Source = FanOutSource.Cursor<string>((after, max, _) =>
            {
                var page = users.Where(u => after is null || string.CompareOrdinal(u, after) > 0).Take(max).ToList();
                return ValueTask.FromResult(new FanOutPage<string>(page, page.Count == max ? page[^1] : null));
            }),
            ChunkSize = 10,
            ProgressKey = "cursor",
        }, u => new Number(int.Parse(u[5..], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(new FanOutReport(25, 25, 3, false, true), cursor);
        Assert.Equal(35, (await broker.GetDepthAsync("default", CancellationToken.None)).Ready);
    }
}
