using System.Globalization;
using Celeriac.Client;
using Celeriac.Examples;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Celeriac.Results;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Celeriac.Redis.Tests;

/// <summary>A rate limit is global: four worker processes together start tasks of the limited type at the limit, not four times it.</summary>
public sealed class RedisRateLimitTests(ITestOutputHelper output)
{
    private const int Limit = 30;
    private const int Limited = 240;

    [Fact]
    public async Task Four_worker_processes_together_keep_to_the_rate_limit_while_other_tasks_flow()
    {
        await using var server = await RedisServer.StartAsync();
        var directory = Directory.CreateTempSubdirectory("celeriac-redis-rate-").FullName;
        var executions = Path.Combine(directory, "executions.db");
        var prefix = "rate" + Guid.NewGuid().ToString("N")[..8];
        var workers = new List<LocalWorkerProcess>();
        try
        {
            await using var services = server.Producer(prefix);
            var client = services.GetRequiredService<ITaskClient>();
            var control = services.GetRequiredService<TaskControl>();

            for (var i = 0; i < 4; i++)
            {
                workers.Add(LocalWorkerProcess.Start(
                    ["--tasks", typeof(ExamplesModule).Assembly.Location, "--concurrency", "8", "--lease", "00:00:10", "--urls", "http://127.0.0.1:0"],
                    new Dictionary<string, string>
                    {
                        ["Celeriac__Broker__Type"] = "redis",
                        ["Celeriac__Broker__Redis__ConnectionString"] = server.ConnectionString,
                        ["Celeriac__Broker__Redis__KeyPrefix"] = prefix,
                        ["Celeriac__Tasks__demo.record__RateLimit"] = $"{Limit}/s",
                        ["Examples__ExecutionLog"] = executions,
                    }));
            }

            Assert.Equal(Limited, await client.EnqueueManyAsync(Items(Limited)));
            // Queued behind all the limited ones: they must not wait for them.
            var others = new List<TaskHandle>();
            for (var i = 0; i < 20; i++) others.Add(control.Handle(await client.EnqueueAsync(new CpuArgs(10))));

            foreach (var handle in others) Assert.NotNull(await handle.GetResultAsync<string>(TimeSpan.FromSeconds(60)));
            var limitedDoneWhenOthersWere = Starts(executions).Count;

            Assert.True(await Eventually.Reached(() => Starts(executions).Count >= Limited, TimeSpan.FromSeconds(90)),
                $"{Starts(executions).Count} of {Limited} started; first worker output:\n{workers[0].Output}");
            Assert.True(limitedDoneWhenOthersWere < Limited * 3 / 4, $"{limitedDoneWhenOthersWere} limited tasks had started before 20 other tasks were done");

            var starts = Starts(executions).Order().ToList();
            Assert.Equal(Limited, starts.Count);
            Assert.True(workers.Select(w => w.Id).Count() == 4 && workers.All(w => !w.HasExited));
            var rate = (starts.Count - 1) / (starts[^1] - starts[0]).TotalSeconds;
            output.WriteLine($"observed {rate:0.00}/s for a limit of {Limit}/s; {limitedDoneWhenOthersWere} limited tasks had started when the 20 others were done");
            // Starts are logged when the body runs: a task handed back early on can come back a little after its slot, which
            // shortens the measured span (CI read 33.9/s and, at load 20, 38/s). Up to 1.3x still tells one limit shared by
            // the four workers (30/s) from a limit per worker (120/s).
            Assert.InRange(rate, Limit * 0.9, Limit * 1.3);
            // Over the limit means later, never failed: each limited task ran exactly once.
            Assert.Equal(Limited, DistinctDone(executions));
        }
        finally
        {
            foreach (var worker in workers) await worker.DisposeAsync();
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
        }
    }

    private static async IAsyncEnumerable<RecordArgs> Items(int count)
    {
        for (var i = 0; i < count; i++) yield return new RecordArgs(0);
        await Task.CompletedTask;
    }

    private static List<DateTimeOffset> Starts(string path) =>
        Query(path, "SELECT at FROM executions WHERE event = 'started'", r => DateTimeOffset.Parse(r.GetString(0), CultureInfo.InvariantCulture));

    private static int DistinctDone(string path) =>
        Query(path, "SELECT count(DISTINCT task_id) FROM executions WHERE event = 'done'", r => r.GetInt32(0)).Single();

    private static List<T> Query<T>(string path, string sql, Func<SqliteDataReader, T> read)
    {
        var rows = new List<T>();
        if (!File.Exists(path)) return rows;
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE name = 'executions'";
        if (command.ExecuteScalar() is null) return rows;
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }
}
