using System.Globalization;
using Celeriac.Examples.Tasks;
using Celeriac.Worker;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>Recycling: the memory ceiling and the hard time limit make the worker drain and exit non-zero.</summary>
public sealed class RecycleTests
{
    private const long ExternalLimitMb = 600;

    [Fact]
    public async Task A_leaking_task_makes_the_worker_recycle_before_the_container_limit()
    {
        await using var scenario = new Scenario();
        for (var i = 0; i < 40; i++) await scenario.Client.EnqueueAsync(new LeakArgs(25, 200));
        var worker = scenario.StartWorker(concurrency: 1, extra: new Dictionary<string, string> { ["Celeriac__Worker__MemoryCheckInterval"] = "00:00:00.100" }, args: ["--memory-ceiling-mb", "300"]);

        // Stands in for the container's memory limit: watch the resident size as the kernel reports it.
        long peakMb = 0;
        var exitTask = worker.WaitForExitAsync(TimeSpan.FromSeconds(120));
        while (!exitTask.IsCompleted)
        {
            var rss = ResidentMb(worker.Id);
            peakMb = Math.Max(peakMb, rss ?? 0);
            if (rss > ExternalLimitMb)
            {
                worker.Kill();
                Assert.Fail($"the worker reached {rss} MiB, over the external limit of {ExternalLimitMb} MiB, without recycling");
            }
            await Task.Delay(20);
        }

        Assert.Equal(WorkerExitCodes.MemoryCeiling, await exitTask);
        Assert.Contains("over the ceiling", worker.Output);
        Assert.True(peakMb < ExternalLimitMb, $"peak {peakMb} MiB");
        var done = scenario.Executions().Count(e => e.Event == "done");
        Assert.InRange(done, 1, 39);
        // Nothing lost: what did not run is still queued.
        Assert.Equal(40 - done, (await scenario.DepthAsync()).Total);
    }

    private static long? ResidentMb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (line is null) return null;
            var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            return kb / 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
