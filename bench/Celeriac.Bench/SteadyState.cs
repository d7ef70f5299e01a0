using System.Diagnostics;

namespace Celeriac.Bench;

/// <summary>
/// A run measured at steady state: from the first tenth of the tasks finished to the last tenth, so start-up and the
/// drained tail are not counted. <see cref="Requests"/> is how many requests the counter saw in that span.
/// </summary>
public sealed record SteadyState(long Tasks, long Requests, TimeSpan Elapsed)
{
    public double TasksPerSecond => Tasks / Elapsed.TotalSeconds;

    public double RequestsPerTask => Requests / (double)Tasks;

    /// <summary>Waits for all <paramref name="tasks"/> to finish, measuring the middle of the run.</summary>
    public static async Task<SteadyState> MeasureAsync(InProcessWorkers.TaskCounter finished, int tasks, Func<long> requests)
    {
        while (finished.Finished < tasks / 10) await Task.Delay(1);
        var (startCount, startRequests) = (finished.Finished, requests());
        var stopwatch = Stopwatch.StartNew();
        while (finished.Finished < tasks - tasks / 10) await Task.Delay(1);
        var (endCount, endRequests) = (finished.Finished, requests());
        var elapsed = stopwatch.Elapsed;
        while (finished.Finished < tasks) await Task.Delay(5);
        return new SteadyState(endCount - startCount, endRequests - startRequests, elapsed);
    }
}
