using System.Globalization;
using System.Text;

namespace Celeriac.Operator.Controller;

/// <summary>
/// The operator's own counters in the Prometheus text format. Deliberately minimal: it is meant to be
/// replaced by the shared exporter (Celeriac.Prometheus) once that lands.
/// </summary>
public sealed class OperatorMetrics
{
    private static ReadOnlySpan<double> Buckets => [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly Lock gate = new();
    private readonly Dictionary<string, long> reconciles = new(StringComparer.Ordinal);
    private readonly long[] bucketCounts = new long[Buckets.Length];
    private double durationSum;
    private long durationCount;
    private long watchRestarts;
    private int leader;

    public void RecordReconcile(string result, TimeSpan duration)
    {
        lock (gate)
        {
            reconciles[result] = reconciles.GetValueOrDefault(result) + 1;
            var seconds = duration.TotalSeconds;
            for (var i = 0; i < Buckets.Length; i++) if (seconds <= Buckets[i]) bucketCounts[i]++;
            durationSum += seconds;
            durationCount++;
        }
    }

    public void RecordWatchRestart() => Interlocked.Increment(ref watchRestarts);

    public void SetLeader(bool isLeader) => Volatile.Write(ref leader, isLeader ? 1 : 0);

    public long ReconcileCount(string result)
    {
        lock (gate) return reconciles.GetValueOrDefault(result);
    }

    public string ToPrometheusText()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        lock (gate)
        {
            text.Append("# HELP celeriac_operator_reconciles_total TaskQueue reconciliations by result.\n");
            text.Append("# TYPE celeriac_operator_reconciles_total counter\n");
            foreach (var (result, count) in reconciles.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                text.Append(c, $"celeriac_operator_reconciles_total{{result=\"{result}\"}} {count}\n");
            text.Append("# HELP celeriac_operator_reconcile_duration_seconds Time of one reconciliation.\n");
            text.Append("# TYPE celeriac_operator_reconcile_duration_seconds histogram\n");
            for (var i = 0; i < Buckets.Length; i++)
                text.Append(c, $"celeriac_operator_reconcile_duration_seconds_bucket{{le=\"{Buckets[i]}\"}} {bucketCounts[i]}\n");
            text.Append(c, $"celeriac_operator_reconcile_duration_seconds_bucket{{le=\"+Inf\"}} {durationCount}\n");
            text.Append(c, $"celeriac_operator_reconcile_duration_seconds_sum {durationSum}\n");
            text.Append(c, $"celeriac_operator_reconcile_duration_seconds_count {durationCount}\n");
        }
        text.Append("# HELP celeriac_operator_watch_restarts_total Watches restarted (stream ended, 410 Gone, errors).\n");
        text.Append("# TYPE celeriac_operator_watch_restarts_total counter\n");
        text.Append(c, $"celeriac_operator_watch_restarts_total {Interlocked.Read(ref watchRestarts)}\n");
        text.Append("# HELP celeriac_operator_leader Whether this instance holds the leader Lease.\n");
        text.Append("# TYPE celeriac_operator_leader gauge\n");
        text.Append(c, $"celeriac_operator_leader {Volatile.Read(ref leader)}\n");
        return text.ToString();
    }
}
