using System.Diagnostics;
using System.Globalization;
using Celeriac.Client;
using Celeriac.Examples.Tasks;
using Microsoft.Data.Sqlite;

namespace Celeriac.Bench;

/// <summary>
/// Enqueue→start latency of a worker in another process: each probe is a <see cref="RecordTask"/>, whose start time the
/// worker writes to the execution log. The warm-up is closed-loop (a probe, wait for it, a pause), until the worker is in
/// its steady state. The measured probes are open-loop, one every <see cref="Spacing"/> whether or not the previous one
/// has started: the harness never polls while a probe is in flight (on two cores its polling would compete with the
/// worker and the broker for the CPU), and a slow probe does not delay the next one's clock. celery/celery_bench.py
/// measures Celery the same way.
/// </summary>
public static class ProcessLatencyProbe
{
    /// <summary>Between two measured probes; well above any probe's latency, so probes do not queue behind each other.</summary>
    public static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(10);

    /// <summary>Probes before the measured ones (Celery's warm-up has as many).</summary>
    public const int WarmUpProbes = 500;

    // The first tasks pay for connection set-up and JIT, and for a few seconds after that the tiered JIT recompiles the
    // hot paths in the background, which on two cores shows as millisecond stalls in a few percent of the probes.
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(8);

    // A background load is sent in a batch every tick: its rate, not its burstiness, is what the scenario sets.
    private static readonly TimeSpan LoadTick = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Warms up, then sends <paramref name="samples"/> probes and returns their enqueue→start latencies in milliseconds,
    /// sorted. With <paramref name="backgroundRate"/> above zero, no-op tasks are sent to the same queue at that rate
    /// (tasks per second) from before the first measured probe to after the last.
    /// </summary>
    public static async Task<double[]> MeasureAsync(ITaskClient client, string log, int samples, int backgroundRate = 0)
    {
        var warmUp = 0;
        var warming = Stopwatch.StartNew();
        while (warmUp < WarmUpProbes || warming.Elapsed < WarmUpTime)
        {
            await client.EnqueueAsync(new RecordArgs(0));
            await WaitForLogAsync(log, ++warmUp);
            await Task.Delay(3);
        }

        using var stopLoad = new CancellationTokenSource();
        var load = backgroundRate > 0 ? Task.Run(() => SendLoadAsync(client, backgroundRate, stopLoad.Token)) : Task.CompletedTask;
        if (backgroundRate > 0) await Task.Delay(TimeSpan.FromSeconds(2));

        var sent = new Dictionary<string, DateTimeOffset>(samples);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < samples; i++)
        {
            var due = Spacing * (i + 1);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            var now = DateTimeOffset.UtcNow;
            sent[await client.EnqueueAsync(new RecordArgs(0))] = now;
        }
        await WaitForLogAsync(log, warmUp + samples);
        await stopLoad.CancelAsync();
        await load;
        return [.. ReadStarts(log).Where(s => sent.ContainsKey(s.Id)).Select(s => (s.At - sent[s.Id]).TotalMilliseconds).Order()];
    }

    private static async Task SendLoadAsync(ITaskClient client, int rate, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        long sent = 0;
        using var timer = new PeriodicTimer(LoadTick);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var due = (long)(clock.Elapsed.TotalSeconds * rate);
                if (due <= sent) continue;
                var batch = (int)(due - sent);
                await client.EnqueueManyAsync(Enumerable.Range(0, batch).Select(i => new NoopArgs(i)).ToAsyncEnumerable(), cancellationToken: CancellationToken.None);
                sent = due;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task WaitForLogAsync(string log, int startedRows)
    {
        var deadline = Stopwatch.StartNew();
        while (CountStarts(log) < startedRows)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("the worker did not run the latency probes");
            await Task.Delay(1);
        }
    }

    private static long CountStarts(string log)
    {
        if (!File.Exists(log)) return 0;
        using var connection = new SqliteConnection($"Data Source={log}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM executions WHERE event = 'started'";
        try { return (long)command.ExecuteScalar()!; }
        catch (SqliteException) { return 0; }
    }

    private static List<(string Id, DateTimeOffset At)> ReadStarts(string log)
    {
        using var connection = new SqliteConnection($"Data Source={log}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT task_id, at FROM executions WHERE event = 'started'";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, DateTimeOffset)>();
        while (reader.Read()) rows.Add((reader.GetString(0), DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture)));
        return rows;
    }
}
