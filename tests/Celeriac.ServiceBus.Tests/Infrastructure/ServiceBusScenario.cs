using System.Diagnostics;
using System.Globalization;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Examples;
using Celeriac.Hosting;
using Celeriac.ServiceBus.Fake;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.ServiceBus.Tests.Infrastructure;

/// <summary>
/// One test's world on the fake namespace: its own queue prefix, a producer, and real <c>celeriac-worker</c> processes
/// configured the way a pod would be (<c>Celeriac__Broker__Type=serviceBus</c>, a <c>UseDevelopmentEmulator=true</c>
/// connection string to the fake). Queues get a three-second LockDuration, so a task of several seconds needs its lock
/// renewed. Workers are killed and files deleted on dispose.
/// </summary>
public sealed class ServiceBusScenario : IAsyncDisposable
{
    public const string LockDuration = "00:00:03";
    private readonly FakeServiceBus _fake;
    private readonly List<LocalWorkerProcess> _workers = [];
    private readonly ServiceProvider _services;

    public ServiceBusScenario(FakeServiceBus fake, string prefix)
    {
        _fake = fake;
        Prefix = prefix;
        Directory = Path.Combine(Path.GetTempPath(), "celeriac-sb-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
        var configuration = new ConfigurationBuilder().Build();
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddCeleriac(configuration, c => c.AddTaskAssembly(typeof(ExamplesModule).Assembly).UseServiceBusBroker(o =>
            {
                o.ConnectionString = fake.ConnectionString;
                o.QueuePrefix = prefix;
                o.AutoCreateQueues = true;
                o.LockDuration = TimeSpan.Parse(LockDuration, CultureInfo.InvariantCulture);
            }))
            .BuildServiceProvider();
    }

    public string Prefix { get; }
    public string Directory { get; }
    public string ExecutionLogPath => Path.Combine(Directory, "executions.db");
    public ITaskClient Client => _services.GetRequiredService<ITaskClient>();
    public IBroker Broker => _services.GetRequiredService<IBroker>();
    public IBrokerAdmin Admin => _services.GetRequiredService<IBrokerAdmin>();

    public LocalWorkerProcess StartWorker(int concurrency = 8, string lease = "00:00:03", string grace = "00:00:20")
    {
        var environment = new Dictionary<string, string>
        {
            ["Celeriac__Broker__Type"] = "serviceBus",
            ["Celeriac__Broker__ServiceBus__ConnectionString"] = _fake.ConnectionString,
            ["Celeriac__Broker__ServiceBus__QueuePrefix"] = Prefix,
            ["Celeriac__Broker__ServiceBus__AutoCreateQueues"] = "true",
            ["Celeriac__Broker__ServiceBus__LockDuration"] = LockDuration,
            ["Examples__ExecutionLog"] = ExecutionLogPath,
            ["Celeriac__Worker__HeartbeatInterval"] = "00:00:00.500",
        };
        var worker = LocalWorkerProcess.Start(
            ["--tasks", typeof(ExamplesModule).Assembly.Location, "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture),
             "--lease", lease, "--grace", grace, "--urls", "http://127.0.0.1:0"],
            environment);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Rows of the execution log: (task id, task, event, pid).</summary>
    public List<(string TaskId, string Task, string Event, int Pid)> Executions() => [.. ExecutionLog.ReadAll(ExecutionLogPath)];

    public async Task<QueueDepth> DepthAsync(string queue = "default") => await Broker.GetDepthAsync(queue, CancellationToken.None);

    public static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            if (await condition()) return true;
            await Task.Delay(100);
        }
        return await condition();
    }

    public static Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout) => WaitUntilAsync(() => Task.FromResult(condition()), timeout);

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers) await worker.DisposeAsync();
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
