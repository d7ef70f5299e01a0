using System.Diagnostics;
using System.Globalization;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Examples;
using Celeriac.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Celeriac.Testing;

namespace Celeriac.Sqs.Tests.Infrastructure;

/// <summary>
/// One test's world on the SQS emulator: its own queue prefix, a producer, and real <c>celeriac-worker</c> processes
/// configured the way a pod would be (<c>Celeriac__Broker__Type=sqs</c>, the endpoint in <c>AWS_ENDPOINT_URL_SQS</c>,
/// credentials and region from the AWS environment variables). Workers are killed and files deleted on dispose.
/// </summary>
public sealed class SqsScenario : IAsyncDisposable
{
    private readonly SqsEmulator _emulator;
    private readonly List<LocalWorkerProcess> _workers = [];
    private readonly ServiceProvider _services;

    public SqsScenario(SqsEmulator emulator)
    {
        _emulator = emulator;
        Prefix = emulator.NewPrefix();
        Directory = Path.Combine(Path.GetTempPath(), "celeriac-sqs-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
        var configuration = new ConfigurationBuilder().Build();
        var options = SqsTestBrokers.Options(emulator, Prefix);
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddCeleriac(configuration, c => c.AddTaskAssembly(typeof(ExamplesModule).Assembly).UseSqsBroker(o =>
            {
                o.QueueUrlPrefix = options.QueueUrlPrefix;
                o.Endpoint = options.Endpoint;
                o.Region = options.Region;
                o.AccessKeyId = options.AccessKeyId;
                o.SecretAccessKey = options.SecretAccessKey;
                o.AutoCreateQueues = true;
                o.ReadyCountIncludesInFlight = true;
                o.VisibilityChangeCountsAsReceive = true;
            }))
            .BuildServiceProvider();
    }

    public string Prefix { get; }
    public string Directory { get; }
    public string ExecutionLogPath => Path.Combine(Directory, "executions.db");
    public ITaskClient Client => _services.GetRequiredService<ITaskClient>();
    public IBroker Broker => _services.GetRequiredService<IBroker>();
    public IBrokerAdmin Admin => _services.GetRequiredService<IBrokerAdmin>();

    /// <param name="extra">More environment, e.g. the store (<c>Celeriac__Store__Type</c>).</param>
    public LocalWorkerProcess StartWorker(int concurrency = 8, string lease = "00:00:03", string grace = "00:00:20", IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Celeriac__Broker__Type"] = "sqs",
            ["Celeriac__Broker__Sqs__QueueUrlPrefix"] = Prefix,
            ["Celeriac__Broker__Sqs__AutoCreateQueues"] = "true",
            ["Celeriac__Broker__Sqs__ReadyCountIncludesInFlight"] = "true",
            ["Celeriac__Broker__Sqs__VisibilityChangeCountsAsReceive"] = "true",
            ["AWS_ENDPOINT_URL_SQS"] = _emulator.Endpoint,
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["AWS_REGION"] = "us-east-1",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["Examples__ExecutionLog"] = ExecutionLogPath,
            ["Celeriac__Worker__HeartbeatInterval"] = "00:00:00.500",
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string>()) environment[name] = value;
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
