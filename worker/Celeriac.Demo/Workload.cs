using Celeriac.Client;
using Celeriac.Examples.Tasks;

namespace Celeriac.Demo;

/// <summary>
/// The mixed workload: I/O-bound tasks on "high", CPU-bound and flaky ones on "default", slow ones
/// (some over their soft time limit) and delayed no-ops on "low", and a few poison messages.
/// </summary>
public static class Workload
{
    public static readonly (string Name, int Priority)[] Queues = [("high", 10), ("default", 5), ("low", 1)];

    public static async Task<int> EnqueueAsync(ITaskClient client, int count, Action<int> progress, CancellationToken cancellationToken)
    {
        var random = new Random(42);
        var sent = 0;
        const int Batch = 100;
        while (sent < count)
        {
            var take = Math.Min(Batch, count - sent);
            var io = new List<IoArgs>();
            var cpu = new List<CpuArgs>();
            var flaky = new List<FlakyArgs>();
            var slow = new List<SlowArgs>();
            var delayed = 0;
            for (var i = 0; i < take; i++)
            {
                var roll = random.NextDouble();
                if (roll < 0.30) io.Add(new IoArgs(random.Next(20, 150)));
                else if (roll < 0.65) cpu.Add(new CpuArgs(random.Next(10_000, 40_000)));
                else if (roll < 0.80) flaky.Add(new FlakyArgs(random.NextDouble() < 0.1 ? 9 : random.Next(0, 3)));
                else if (roll < 0.90) slow.Add(new SlowArgs(random.NextDouble() < 0.2 ? 2_000 : random.Next(100, 500)));
                else delayed++;
            }
            await client.EnqueueManyAsync(io.ToAsyncEnumerable(), cancellationToken: cancellationToken).ConfigureAwait(false);
            await client.EnqueueManyAsync(cpu.ToAsyncEnumerable(), cancellationToken: cancellationToken).ConfigureAwait(false);
            await client.EnqueueManyAsync(flaky.ToAsyncEnumerable(), cancellationToken: cancellationToken).ConfigureAwait(false);
            await client.EnqueueManyAsync(slow.ToAsyncEnumerable(), cancellationToken: cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < delayed; i++)
                await client.EnqueueAsync(new NoopArgs(i), new EnqueueOptions { Queue = "low", Countdown = TimeSpan.FromMilliseconds(random.Next(500, 3000)) }, cancellationToken).ConfigureAwait(false);
            sent += take;
            progress(sent);
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
        // Poison: a task no worker knows, and args that do not bind. Both end in the dead-letter queue with a reason.
        await client.EnqueueAsync("demo.missing", new { x = 1 }, cancellationToken: cancellationToken).ConfigureAwait(false);
        await client.EnqueueAsync("demo.io", new { milliseconds = "soon" }, cancellationToken: cancellationToken).ConfigureAwait(false);
        progress(sent + 2);
        return sent + 2;
    }
}
