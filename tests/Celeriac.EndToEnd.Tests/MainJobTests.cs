using Celeriac.Demo;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>The README's first command, small: worker processes, the mixed workload, and the summary.</summary>
public sealed class MainJobTests
{
    [Fact]
    public async Task The_main_job_runs_to_completion_and_prints_a_per_task_summary()
    {
        var directory = Path.Combine(Path.GetTempPath(), "celeriac-mainjob-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var output = new StringWriter();
            var settings = new DemoSettings(Tasks: 300, Workers: 2, Concurrency: 16, Directory: directory, Timeout: TimeSpan.FromSeconds(150));
            var code = await new MainJob(settings, output).RunAsync(CancellationToken.None);
            var text = output.ToString();

            Assert.True(code == 0, text);
            foreach (var task in new[] { "demo.cpu", "demo.io", "demo.flaky", "demo.slow", "demo.noop" })
                Assert.Matches($@"(?m)^{task.Replace(".", @"\.", StringComparison.Ordinal)}\s+\d+", text);
            Assert.Contains("unknown task 'demo.missing'", text);
            Assert.Contains("args do not bind", text);
            Assert.Matches(@"worker \d+ exited with 0", text);
            Assert.Contains("Done: 302 tasks", text);

            // The columns mean what the metrics of the same names mean: failed counts final failures, attempts every run.
            Assert.Matches(@"(?m)^task\s+attempts\s+succeeded\s+failed\s+retried\s+dead-lettered", text);
            foreach (System.Text.RegularExpressions.Match row in System.Text.RegularExpressions.Regex.Matches(text, @"(?m)^(demo\.\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)"))
            {
                var (attempts, succeeded, failed, retried, deadLettered) = (long.Parse(row.Groups[2].Value), long.Parse(row.Groups[3].Value), long.Parse(row.Groups[4].Value), long.Parse(row.Groups[5].Value), long.Parse(row.Groups[6].Value));
                Assert.True(attempts == succeeded + failed + retried, row.Value);
                Assert.True(failed <= deadLettered, row.Value);
            }
            Assert.Matches(@"(?m)^demo\.flaky\s+\d+\s+\d+\s+\d+\s+[1-9]", text);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
