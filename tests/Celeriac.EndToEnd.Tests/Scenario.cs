using System.Diagnostics;
using System.Globalization;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Examples;
using Celeriac.Hosting;
using Celeriac.Sqlite;
using Celeriac.Workflows;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.EndToEnd.Tests;

/// <summary>
/// One test's world: a temp directory with the SQLite broker file and the execution log, a producer,
/// and real <c>celeriac-worker</c> processes (stopped and the directory deleted on dispose).
/// </summary>
public sealed class Scenario : IAsyncDisposable
{
    private readonly List<LocalWorkerProcess> _workers = [];
    private readonly ServiceProvider _services;

    public Scenario()
    {
        Directory = Path.Combine(Path.GetTempPath(), "celeriac-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
        var configuration = new ConfigurationBuilder().Build();
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddCeleriac(configuration, c => c.AddTaskAssembly(typeof(ExamplesModule).Assembly).UseSqliteBroker(o => o.Path = BrokerPath))
            .BuildServiceProvider();
    }

    public string Directory { get; }
    public string BrokerPath => Path.Combine(Directory, "celeriac.db");
    public string ExecutionLogPath => Path.Combine(Directory, "executions.db");
    public ITaskClient Client => _services.GetRequiredService<ITaskClient>();
    public WorkflowClient Workflows => _services.GetRequiredService<WorkflowClient>();
    public IBroker Broker => _services.GetRequiredService<IBroker>();
    public IBrokerAdmin Admin => _services.GetRequiredService<IBrokerAdmin>();

    public LocalWorkerProcess StartWorker(int concurrency = 8, string lease = "00:00:03", string grace = "00:00:20", IDictionary<string, string>? extra = null, params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["Examples__ExecutionLog"] = ExecutionLogPath,
            ["Celeriac__Worker__HeartbeatInterval"] = "00:00:00.500",
        };
        if (extra is not null)
            foreach (var (key, value) in extra) environment[key] = value;
        var worker = LocalWorkerProcess.Start(
            ["--tasks", typeof(ExamplesModule).Assembly.Location, "--db", BrokerPath, "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture),
             "--lease", lease, "--grace", grace, "--urls", "http://127.0.0.1:0", .. args],
            environment);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Rows of the execution log: (task id, task, event, pid).</summary>
    public List<(string TaskId, string Task, string Event, int Pid)> Executions() => [.. ExecutionLog.ReadAll(ExecutionLogPath)];

    public async Task<QueueDepth> DepthAsync(string queue = "default") => await Broker.GetDepthAsync(queue, CancellationToken.None);

    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            if (condition()) return true;
            await Task.Delay(100);
        }
        return condition();
    }

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

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers) await worker.DisposeAsync();
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
