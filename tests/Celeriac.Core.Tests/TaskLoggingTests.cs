using Celeriac.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Tests;

/// <summary>How the worker logs each execution: a success is routine (Debug), a failure is worth a look (Warning).</summary>
public sealed class TaskLoggingTests
{
    [Fact]
    public async Task A_succeeded_task_is_logged_at_debug_and_a_failed_one_at_warning()
    {
        var logs = new ScopeRecordingLoggerProvider();
        await using var app = await TestApp.CreateWorker(services: s => s.AddSingleton<ILoggerProvider>(logs).Configure<LoggerFilterOptions>(o => o.MinLevel = LogLevel.Trace), script: o => o.RetryBackoff = TimeSpan.FromMilliseconds(10)).StartAsync();
        app.Probe.Handler = (args, _) => args.Label == "fails" ? throw new InvalidOperationException("boom") : Task.CompletedTask;

        var ok = await app.EnqueueScriptAsync("works");
        var failing = await app.EnqueueScriptAsync("fails");
        await Eventually.Until(() => logs.Entries.Any(e => e.Message.Contains(ok, StringComparison.Ordinal)) && logs.Entries.Any(e => e.Message.Contains(failing, StringComparison.Ordinal)), "both were logged");

        var succeeded = logs.Entries.First(e => e.Message.Contains(ok, StringComparison.Ordinal));
        Assert.Contains("succeeded", succeeded.Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Debug, succeeded.Level);
        var failed = logs.Entries.First(e => e.Message.Contains(failing, StringComparison.Ordinal));
        Assert.Contains("failed on attempt 0", failed.Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Warning, failed.Level);
    }
}
