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
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
