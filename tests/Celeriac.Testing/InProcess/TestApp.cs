using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Hosting;
using Celeriac.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Testing.InProcess;

/// <summary>
/// A real Generic Host with Celeriac on an in-memory broker and a <see cref="Probe"/>. Disposing stops
/// the host if the test did not.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private bool _started;
    private bool _stopped;

    private TestApp(IHost host, InMemoryBroker broker, RecordingBroker? recording)
    {
        Host = host;
        Broker = broker;
        _recording = recording;
    }

    private readonly RecordingBroker? _recording;

    /// <summary>The recording wrapper around <see cref="Broker"/>, when the app was created with <c>record: true</c>.</summary>
    public RecordingBroker Recording => _recording ?? throw new InvalidOperationException("Create the app with record: true.");

    public IHost Host { get; }
    public IServiceProvider Services => Host.Services;
    /// <summary>The in-memory broker (possibly wrapped by a test's own <see cref="IBroker"/>).</summary>
    public InMemoryBroker Broker { get; }
    public Probe Probe => Services.GetRequiredService<Probe>();
    /// <summary>The observer that <see cref="CreateWorker"/> registers.</summary>
    public RecordingObserver Observer => RecordingObserver.From(this);
    public ITaskClient Client => Services.GetRequiredService<ITaskClient>();

    /// <summary>Worker settings that keep tests quick: short receive wait and grace.</summary>
    public static void FastWorker(WorkerOptions options)
    {
        options.Concurrency = 4;
        options.LeaseDuration = TimeSpan.FromSeconds(5);
        options.ReceiveWait = TimeSpan.FromMilliseconds(100);
        options.ShutdownGrace = TimeSpan.FromSeconds(5);
    }

    public static TestApp Create(
        Action<CeleriacBuilder> celeriac,
        IDictionary<string, string?>? configuration = null,
        Action<IServiceCollection>? services = null,
        InMemoryBroker? broker = null,
        bool record = false)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        builder.Services.AddSingleton(new Probe());
        services?.Invoke(builder.Services);
        broker ??= new InMemoryBroker();
        var recording = record ? new RecordingBroker(broker) : null;
        builder.Services.AddCeleriac(builder.Configuration, c =>
        {
            if (recording is not null) c.UseBroker(_ => recording);
            else c.UseInMemoryBroker(broker);
            celeriac(c);
            // Innermost: lets the probe see the execution behind a task's narrow context.
            c.UseMiddleware<Probe.ExecutionCapture>();
        });
        return new TestApp(builder.Build(), broker, recording);
    }

    /// <summary>A host with <see cref="ScriptTask"/> and a worker (fast settings, then <paramref name="worker"/>).</summary>
    public static TestApp CreateWorker(
        Action<WorkerOptions>? worker = null,
        Action<CeleriacBuilder>? celeriac = null,
        IDictionary<string, string?>? configuration = null,
        Action<IServiceCollection>? services = null,
        Action<Tasks.TaskOptions>? script = null,
        bool record = false) =>
        Create(c =>
        {
            c.AddTask<ScriptTask>(script);
            celeriac?.Invoke(c);
            c.AddWorker(o =>
            {
                FastWorker(o);
                worker?.Invoke(o);
            }).AddObserver<RecordingObserver>();
        }, configuration, services, record: record);

    public async Task<TestApp> StartAsync()
    {
        await Host.StartAsync();
        _started = true;
        return this;
    }

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await Host.StopAsync();
    }

    public Task<string> EnqueueScriptAsync(string label, EnqueueOptions? options = null) =>
        Client.EnqueueAsync(new ScriptArgs(label), options);

    public async Task<QueueDepth> DepthAsync(string queue = "default") => await Broker.GetDepthAsync(queue, CancellationToken.None);

    public async Task<IReadOnlyList<DeadLetter>> DeadLettersAsync() => await Broker.ListDeadLettersAsync(null, 1000, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        if (_started) await StopAsync();
        if (Host is IAsyncDisposable disposable) await disposable.DisposeAsync();
        else Host.Dispose();
    }
}
