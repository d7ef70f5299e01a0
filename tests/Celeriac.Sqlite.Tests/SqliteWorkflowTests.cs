using Celeriac.FanOut;
using Celeriac.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Sqlite.Tests;

/// <summary>Workflows and fan-out on the embedded broker and store, with two worker hosts sharing one file (as two processes would).</summary>
public sealed class SqliteWorkflowTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    private IHost Worker(int concurrency = 4) => SqliteWorkerHost.Build<SquareTask>(_database.Path, concurrency, c => c.AddTask<SumSquaresTask>());

    [Fact]
    public async Task Two_workers_completing_a_chord_together_call_back_once()
    {
        using var first = Worker();
        using var second = Worker();
        const int members = 60;
        var handle = await first.Services.GetRequiredService<WorkflowClient>().StartAsync(
            Workflow.Chord(Enumerable.Range(1, members).Select(i => Sig.For<SquareTask>(new SquareArgs(i))), Sig.Of<SumSquaresTask>()));

        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        try
        {
            var expected = Enumerable.Range(1, members).Sum(i => i * i);
            Assert.Equal(expected, await handle.GetResultAsync<int>(Patience));
            var numbers = first.Services.GetRequiredService<Recorder>().Numbers.Concat(second.Services.GetRequiredService<Recorder>().Numbers).ToList();
            Assert.Equal(Enumerable.Range(1, members), numbers.Order());
            Assert.NotEmpty(first.Services.GetRequiredService<Recorder>().Numbers);
            Assert.NotEmpty(second.Services.GetRequiredService<Recorder>().Numbers);
            var broker = first.Services.GetRequiredService<Celeriac.Brokers.IBroker>();
            await Eventually.Until(async () => (await broker.GetDepthAsync("default", CancellationToken.None)).Total == 0, "every message was settled");
            Assert.Equal([expected], first.Services.GetRequiredService<Recorder>().Totals.Concat(second.Services.GetRequiredService<Recorder>().Totals));
        }
        finally
        {
            await Task.WhenAll(first.StopAsync(), second.StopAsync());
        }
    }

    [Fact]
    public async Task A_fan_out_killed_while_waiting_for_the_backlog_resumes_in_a_new_producer_with_a_consumer_draining()
    {
        const int total = 5000, chunk = 500, maxBacklog = 2000;
        var plan = new FanOutPlan<long>
        {
            Source = FanOutSource.Range(0, total),
            ChunkSize = chunk,
            MaxBacklog = maxBacklog,
            ProgressKey = "squares",
            PollInterval = TimeSpan.FromMilliseconds(20),
        };

        // The first producer has no consumer: it fills the backlog to its bound, waits, and is stopped there.
        using (var producer = Worker())
        {
            var broker = producer.Services.GetRequiredService<Celeriac.Brokers.IBroker>();
            using var crash = new CancellationTokenSource();
            var run = producer.Services.GetRequiredService<FanOutClient>().FanOutAsync(plan, i => new SquareArgs((int)i), crash.Token);
            await Eventually.Until(async () => (await broker.GetDepthAsync("default", CancellationToken.None)).Total >= maxBacklog, "the producer filled the backlog", Patience);
            // A window in which the producer, held at its bound, must send nothing more (checked below).
            await Task.Delay(200);
            await crash.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.Equal(maxBacklog, (await broker.GetDepthAsync("default", CancellationToken.None)).Total);
        }

        // A new producer on the same file resumes after the fourth chunk, while a worker drains the queue.
        using var worker = Worker();
        await worker.StartAsync();
        try
        {
            var report = await worker.Services.GetRequiredService<FanOutClient>().FanOutAsync(plan, i => new SquareArgs((int)i));
            Assert.Equal(new FanOutReport(total - maxBacklog, total, (total - maxBacklog) / chunk, true, true), report);
            var recorder = worker.Services.GetRequiredService<Recorder>();
            await Eventually.Until(() => recorder.Numbers.Count >= total, "every item ran", Patience);
            Assert.Equal(Enumerable.Range(0, total), recorder.Numbers.Order());
        }
        finally
        {
            await worker.StopAsync();
        }
    }
}
