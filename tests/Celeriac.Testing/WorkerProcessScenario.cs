using System.Diagnostics;
using System.Globalization;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Examples;
using Celeriac.Hosting;
using Celeriac.Workflows;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Testing;

/// <summary>
/// One test's world: a temp directory with the execution log, a producer on the broker under test, and real
/// <c>celeriac-worker</c> processes running the example tasks, configured through their environment as a pod would be
/// (stopped, and the directory deleted, on dispose). Each broker's scenario says how the producer and the workers reach it.
/// </summary>
public abstract class WorkerProcessScenario : IAsyncDisposable
{
    private readonly List<LocalWorkerProcess> _workers = [];
    private readonly ServiceProvider _services;

    /// <param name="name">Part of the temp directory's name.</param>
    /// <param name="useBroker">Chooses the producer's broker (the example tasks are registered already).</param>
    protected WorkerProcessScenario(string name, Func<string, Action<CeleriacBuilder>> useBroker)
    {
        Directory = Path.Combine(Path.GetTempPath(), $"celeriac-{name}-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
        var configuration = new ConfigurationBuilder().Build();
        var broker = useBroker(Directory);
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddCeleriac(configuration, c => broker(c.AddTaskAssembly(typeof(ExamplesModule).Assembly)))
            .BuildServiceProvider();
    }

    public string Directory { get; }
    public string ExecutionLogPath => Path.Combine(Directory, "executions.db");
    public IServiceProvider Services => _services;
    public ITaskClient Client => _services.GetRequiredService<ITaskClient>();
    public WorkflowClient Workflows => _services.GetRequiredService<WorkflowClient>();
    public IBroker Broker => _services.GetRequiredService<IBroker>();
    public IBrokerAdmin Admin => _services.GetRequiredService<IBrokerAdmin>();

    /// <summary>How a worker process reaches the broker: environment variables (as a pod gets them).</summary>
    protected abstract IReadOnlyDictionary<string, string> BrokerEnvironment { get; }

    /// <summary>Task assemblies every worker loads besides the example tasks (a module that registers a vendor client).</summary>
    protected virtual IEnumerable<string> TaskAssemblies => [];

    /// <summary>Command-line arguments every worker gets before the test's own (e.g. <c>--db</c>).</summary>
    protected virtual IEnumerable<string> BrokerArguments => [];

    public LocalWorkerProcess StartWorker(int concurrency = 8, string lease = "00:00:03", string grace = "00:00:20", IDictionary<string, string>? extra = null, params string[] args)
    {
        var environment = new Dictionary<string, string>(BrokerEnvironment)
        {
            ["Examples__ExecutionLog"] = ExecutionLogPath,
            ["Celeriac__Worker__HeartbeatInterval"] = "00:00:00.500",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) environment[key] = value;
        var worker = LocalWorkerProcess.Start(
            ["--tasks", string.Join(',', [typeof(ExamplesModule).Assembly.Location, .. TaskAssemblies]), .. BrokerArguments, "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture),
             "--lease", lease, "--grace", grace, "--urls", "http://127.0.0.1:0", .. args],
            environment);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Rows of the execution log: (task id, task, event, pid).</summary>
    public List<(string TaskId, string Task, string Event, int Pid)> Executions() => [.. ExecutionLog.ReadAll(ExecutionLogPath)];

    public async Task<QueueDepth> DepthAsync(string queue = "default") => await Broker.GetDepthAsync(queue, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers) await worker.DisposeAsync();
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
