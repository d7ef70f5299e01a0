using System.Text.Json;
using Celeriac.Client;
using Celeriac.Examples;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Celeriac.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Redis.Tests;

/// <summary>
/// A worker process whose store (Redis) goes away for a few seconds: the revocation watcher says so once, backs off,
/// says once that it works again, and neither line carries the scope of a task that ran earlier.
/// </summary>
public sealed class RedisRevocationOutageTests
{
    private const string Watcher = "Celeriac.Revocation.RevocationWatcher";

    [Fact]
    public async Task During_a_redis_outage_the_revocation_watcher_logs_the_failure_and_the_recovery_once_without_a_task_scope()
    {
        await using var server = await RedisServer.StartAsync();
        var prefix = "revoutage" + Guid.NewGuid().ToString("N")[..8];
        await using var services = server.Producer(prefix);
        await using var worker = LocalWorkerProcess.Start(
            ["--tasks", typeof(ExamplesModule).Assembly.Location, "--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string>
            {
                ["Celeriac__Broker__Type"] = "redis",
                ["Celeriac__Broker__Redis__ConnectionString"] = server.ConnectionString + ",connectTimeout=500",
                ["Celeriac__Broker__Redis__KeyPrefix"] = prefix,
                // One JSON object per line, with the scopes each line was written in.
                ["Logging__Console__FormatterName"] = "json",
                ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
                ["Logging__LogLevel__Celeriac"] = "Debug",
            });

        // A task runs first, so that a scope of its own existed in this process before the outage.
        var id = await services.GetRequiredService<ITaskClient>().EnqueueAsync(new NoopArgs(1));
        Assert.True(await Eventually.Reached(() => Lines(worker).Any(l => l.Message.Contains(id, StringComparison.Ordinal)), TimeSpan.FromSeconds(60)),
            "the task did not run: " + worker.Output);

        var outage = TimeSpan.FromSeconds(6);
        await server.RestartAsync(outage);
        Assert.True(await Eventually.Reached(() => Lines(worker).Any(l => l.Category == Watcher && l.Message.Contains("works again", StringComparison.Ordinal)), TimeSpan.FromSeconds(60)),
            "the watcher never said it recovered: " + worker.Output);

        var watcher = Lines(worker).Where(l => l.Category == Watcher).ToList();
        var failed = Assert.Single(watcher, l => l.Message.StartsWith("Reading revocations from the store failed", StringComparison.Ordinal));
        Assert.Equal("Warning", failed.Level);
        var recovered = Assert.Single(watcher, l => l.Message.Contains("works again", StringComparison.Ordinal));
        Assert.All(watcher, l => Assert.False(l.HasTaskScope, "a watcher line carries a task scope: " + l.Json));
        // Polling every 250 ms through the outage would be some 24 failed reads; backing off, far fewer.
        var failures = int.Parse(System.Text.RegularExpressions.Regex.Match(recovered.Message, @"after (\d+) failed").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(failures, 1, 8);
        Assert.False(worker.HasExited);
    }

    private sealed record LogLine(string Category, string Level, string Message, bool HasTaskScope, string Json);

    private static List<LogLine> Lines(LocalWorkerProcess worker)
    {
        var lines = new List<LogLine>();
        foreach (var line in worker.Output.Split('\n'))
        {
            if (!line.StartsWith('{')) continue;
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var scoped = root.TryGetProperty("Scopes", out var scopes) && scopes.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TaskId", out _));
            lines.Add(new LogLine(root.GetProperty("Category").GetString()!, root.GetProperty("LogLevel").GetString()!, root.GetProperty("Message").GetString()!, scoped, line));
        }
        return lines;
    }
}
