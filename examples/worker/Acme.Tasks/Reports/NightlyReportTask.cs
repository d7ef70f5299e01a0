using System.Globalization;
using System.Text;
using Celeriac.Tasks;
using Microsoft.Extensions.Options;

namespace Acme.Tasks.Reports;

public sealed record NightlyReport(DateOnly Date);

public sealed record ReportSummary(string Path, int Customers, int Orders, decimal Total);

/// <summary>
/// Totals one day's orders per customer into reports/report-YYYY-MM-DD.csv. Scheduled nightly (TaskQueue
/// <c>schedules</c>); it streams its input, and a lock keeps two runs for the same date from racing.
/// </summary>
[CeleriacTask("reports.nightly", Queue = "bulk", MaxRetries = 3, RetryBackoffSeconds = 60, HardTimeLimitSeconds = 1800)]
public sealed class NightlyReportTask(IOptions<ReportOptions> options) : ICeleriacTask<NightlyReport, ReportSummary>
{
    public async Task<ReportSummary> RunAsync(NightlyReport args, TaskContext context)
    {
        var settings = options.Value;
        var day = args.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var totals = new SortedDictionary<string, (int Orders, decimal Amount)>(StringComparer.Ordinal);
        var files = Directory.Exists(settings.InputDirectory) ? Directory.GetFiles(settings.InputDirectory, "*.csv") : [];
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            await foreach (var line in File.ReadLinesAsync(file, context.CancellationToken).ConfigureAwait(false))
            {
                var fields = line.Split(',');
                if (fields.Length != 3 || fields[0] != day) continue;
                if (!decimal.TryParse(fields[2], NumberStyles.Number, CultureInfo.InvariantCulture, out var amount)) continue;
                var current = totals.GetValueOrDefault(fields[1]);
                totals[fields[1]] = (current.Orders + 1, current.Amount + amount);
            }
        }

        var report = new StringBuilder("customer,orders,total\n");
        foreach (var (customer, (orders, amount)) in totals)
            report.Append(CultureInfo.InvariantCulture, $"{customer},{orders},{amount:0.00}\n");
        Directory.CreateDirectory(settings.OutputDirectory);
        var path = Path.Combine(settings.OutputDirectory, $"report-{day}.csv");
        await File.WriteAllTextAsync(path + ".partial", report.ToString(), context.CancellationToken).ConfigureAwait(false);
        File.Move(path + ".partial", path, overwrite: true);
        return new ReportSummary(path, totals.Count, totals.Values.Sum(t => t.Orders), totals.Values.Sum(t => t.Amount));
    }
}
