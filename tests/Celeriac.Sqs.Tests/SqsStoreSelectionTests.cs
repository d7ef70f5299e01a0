using Celeriac.Hosting;
using Celeriac.Redis;
using Celeriac.Sqlite;
using Celeriac.Sqs.Tests.Infrastructure;
using Celeriac.RateLimits;
using Celeriac.Locks;
using Celeriac.Results;
using Celeriac.Revocation;
using Celeriac.Workflows;
using Celeriac.FanOut;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Sqs.Tests;

/// <summary>The store next to the SQS broker is chosen by <c>Celeriac:Store</c>: a shared Redis or SQLite store, else a per-process one with a warning.</summary>
public sealed class SqsStoreSelectionTests(SqsEmulator emulator) : IClassFixture<SqsEmulator>, IAsyncLifetime
{
    private RedisServer? _redis;

    private RedisServer Redis => _redis ?? throw new InvalidOperationException("redis-server has not started.");

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_redis is not null) await _redis.DisposeAsync();
    }

    private ServiceProvider Services(Dictionary<string, string?> store, ILoggerProvider? logs = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Type"] = "sqs",
            ["Celeriac:Broker:Sqs:QueueUrlPrefix"] = emulator.NewPrefix(),
            ["Celeriac:Broker:Sqs:Endpoint"] = emulator.Endpoint,
            ["Celeriac:Broker:Sqs:Region"] = "us-east-1",
            ["Celeriac:Broker:Sqs:AccessKeyId"] = "test",
            ["Celeriac:Broker:Sqs:SecretAccessKey"] = "test",
        };
        foreach (var (key, value) in store) settings[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddLogging(b => { if (logs is not null) b.AddProvider(logs); })
            .AddCeleriac(configuration, c => c.UseBrokerFromConfiguration())
            .BuildServiceProvider();
    }

    private Dictionary<string, string?> RedisStore(string prefix) => new()
    {
        ["Celeriac:Store:Type"] = "Redis",
        ["Celeriac:Store:Redis:ConnectionString"] = Redis.ConnectionString,
        ["Celeriac:Store:Redis:KeyPrefix"] = prefix,
    };

    [Fact]
    public async Task A_redis_store_serves_every_store_service_and_is_shared_between_processes()
    {
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        await using var one = Services(RedisStore(prefix));
        await using var two = Services(RedisStore(prefix));

        Assert.IsType<SqsBroker>(one.GetRequiredService<Celeriac.Brokers.IBroker>());
        Assert.IsType<Celeriac.Redis.RateLimits.RedisRateLimiter>(one.GetRequiredService<IRateLimiter>());
        Assert.IsType<Celeriac.Redis.Locks.RedisTaskLockStore>(one.GetRequiredService<ITaskLockStore>());
        Assert.IsType<Celeriac.Redis.Results.RedisResultStore>(one.GetRequiredService<IResultStore>());
        Assert.IsType<Celeriac.Redis.Revocation.RedisRevocationStore>(one.GetRequiredService<IRevocationStore>());
        Assert.IsType<Celeriac.Redis.Workflows.RedisWorkflowStore>(one.GetRequiredService<IWorkflowStore>());
        Assert.IsType<Celeriac.Redis.FanOut.RedisFanOutProgressStore>(one.GetRequiredService<IFanOutProgressStore>());
        Assert.Equal(prefix, one.GetRequiredService<RedisStoreConnection>().Connection.Options.KeyPrefix);

        // What one worker records, another sees: the point of a shared store.
        await one.GetRequiredService<IRevocationStore>().RevokeAsync("task-1", TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.Contains("task-1", await two.GetRequiredService<IRevocationStore>().GetRevokedAsync(CancellationToken.None));
        Assert.Equal("one", await one.GetRequiredService<ITaskLockStore>().AcquireAsync("nightly", "one", TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Equal("one", await two.GetRequiredService<ITaskLockStore>().AcquireAsync("nightly", "two", TimeSpan.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Without_a_store_sqs_keeps_them_per_process_and_says_so_once()
    {
        var logs = new RecordingLoggerProvider();
        await using var services = Services([], logs);
        Assert.IsType<InMemoryRevocationStore>(services.GetRequiredService<IRevocationStore>());
        Assert.IsType<InMemoryRateLimiter>(services.GetRequiredService<IRateLimiter>());
        Assert.IsType<InMemoryTaskLockStore>(services.GetRequiredService<ITaskLockStore>());
        var warning = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("per process", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Celeriac:Store:Type=redis", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sqlite_store_and_a_memory_store_can_be_chosen_and_an_unknown_type_is_refused()
    {
        var directory = Directory.CreateTempSubdirectory("celeriac-store-").FullName;
        try
        {
            var path = Path.Combine(directory, "store.db");
            var logs = new RecordingLoggerProvider();
            await using (var sqlite = Services(new() { ["Celeriac:Store:Type"] = "sqlite", ["Celeriac:Store:Sqlite:Path"] = path }, logs))
            {
                await sqlite.GetRequiredService<IRevocationStore>().RevokeAsync("task-2", TimeSpan.FromMinutes(5), CancellationToken.None);
                Assert.IsType<Celeriac.Sqlite.Results.SqliteResultStore>(sqlite.GetRequiredService<IResultStore>());
            }
            Assert.True(File.Exists(path));
            Assert.DoesNotContain(logs.Entries, e => e.Level == LogLevel.Warning);
            await using (var again = Services(new() { ["Celeriac:Store:Type"] = "sqlite", ["Celeriac:Store:Sqlite:Path"] = path }))
                Assert.Contains("task-2", await again.GetRequiredService<IRevocationStore>().GetRevokedAsync(CancellationToken.None));

            await using (var memory = Services(new() { ["Celeriac:Store:Type"] = "memory" }, logs))
                Assert.IsType<InMemoryRevocationStore>(memory.GetRequiredService<IRevocationStore>());
            Assert.DoesNotContain(logs.Entries, e => e.Level == LogLevel.Warning);

            var error = Assert.Throws<InvalidOperationException>(() => Services(new() { ["Celeriac:Store:Type"] = "dynamodb" }));
            Assert.Contains("Celeriac:Store:Type 'dynamodb'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
