using System.Globalization;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Examples;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Redis.Tests;

/// <summary>A real worker process rides out a restart of redis-server (AOF on) in the middle of its work.</summary>
public sealed class RedisRestartTests
{
    [Fact]
    public async Task Every_task_completes_when_redis_restarts_mid_run()
    {
        const int total = 2000;
        await using var server = await RedisServer.StartAsync(appendOnly: true);
        var directory = Directory.CreateTempSubdirectory("celeriac-redis-e2e-").FullName;
        var executions = Path.Combine(directory, "executions.db");
        var prefix = "restart" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await using var services = server.Producer(prefix);
            var client = services.GetRequiredService<ITaskClient>();
            var broker = services.GetRequiredService<IBroker>();

            await using var worker = LocalWorkerProcess.Start(
                ["--tasks", typeof(ExamplesModule).Assembly.Location, "--concurrency", "16", "--lease", "00:00:05", "--urls", "http://127.0.0.1:0"],
                new Dictionary<string, string>
                {
                    ["Celeriac__Broker__Type"] = "redis",
                    ["Celeriac__Broker__Redis__ConnectionString"] = server.ConnectionString,
                    ["Celeriac__Broker__Redis__KeyPrefix"] = prefix,
                    ["Examples__ExecutionLog"] = executions,
                });

            var enqueued = await client.EnqueueManyAsync(Items(total));
            Assert.Equal(total, enqueued);

            Assert.True(await Eventually.Reached(() => DoneCount(executions) >= total / 5, TimeSpan.FromSeconds(60)), "the worker did not start working: " + worker.Output);
            await server.RestartAsync(TimeSpan.FromSeconds(1));
            var doneAtRestart = DoneCount(executions);

            Assert.True(await Eventually.Reached(() => DoneCount(executions) >= total, TimeSpan.FromSeconds(90)),
                $"{DoneCount(executions)} of {total} done; worker output:\n{worker.Output}");
            Assert.True(doneAtRestart < total, "the restart came after the work was done, so it proved nothing");
            Assert.True(await Eventually.Reached(async () => (await broker.GetDepthAsync("default", CancellationToken.None)).Total == 0, TimeSpan.FromSeconds(30)));
            Assert.False(worker.HasExited);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
        }
    }

    private static async IAsyncEnumerable<RecordArgs> Items(int count)
    {
        for (var i = 0; i < count; i++) yield return new RecordArgs(2);
        await Task.CompletedTask;
    }

    private static int DoneCount(string path)
    {
        if (!File.Exists(path)) return 0;
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE name = 'executions'";
        if (command.ExecuteScalar() is null) return 0;
        command.CommandText = "SELECT count(DISTINCT task_id) FROM executions WHERE event = 'done'";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
