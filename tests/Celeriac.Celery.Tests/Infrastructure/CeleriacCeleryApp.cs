using Celeriac.Client;
using Celeriac.Hosting;
using Celeriac.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Celeriac.Celery.Tests.Infrastructure;

/// <summary>
/// A Celeriac process in this test: a Generic Host configured as the worker host is (<c>UseBrokerFromConfiguration</c>,
/// so the Celery interop comes from configuration), with the in-memory broker for Celeriac's own queues, the Celery queues
/// on the transport the configuration names, the interop tasks, and a worker serving <c>served</c> when given.
/// </summary>
public sealed class CeleriacCeleryApp : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _started;

    private CeleriacCeleryApp(IHost host)
    {
        _host = host;
    }

    public IServiceProvider Services => _host.Services;
    public ITaskClient Client => Services.GetRequiredService<ITaskClient>();
    public TaskControl Control => Services.GetRequiredService<TaskControl>();
    public WorkflowClient Workflows => Services.GetRequiredService<WorkflowClient>();

    /// <param name="celeryQueues">The queues declared with Protocol=celery.</param>
    /// <param name="served">The queues the worker serves; null: no worker (a producer only).</param>
    public static CeleriacCeleryApp Create(IReadOnlyDictionary<string, string?> celery, IReadOnlyList<string> celeryQueues, IReadOnlyList<string>? served,
        Action<IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>(celery) { ["Celeriac:Broker:Type"] = "memory" };
        for (var i = 0; i < celeryQueues.Count; i++)
        {
            settings[$"Celeriac:Queues:{i}:Name"] = celeryQueues[i];
            settings[$"Celeriac:Queues:{i}:Protocol"] = "celery";
        }
        for (var i = 0; served is not null && i < served.Count; i++) settings[$"Celeriac:Worker:Queues:{i}"] = served[i];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging(logging =>
        {
            if (System.Environment.GetEnvironmentVariable("CELERIAC_TEST_LOG") == "1") logging.AddConsole().SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug);
        });
        services?.Invoke(builder.Services);
        builder.Services.AddCeleriac(builder.Configuration, c =>
        {
            c.UseBrokerFromConfiguration().AddTasksFromAssembly(typeof(CeleriacCeleryApp).Assembly);
            if (served is not null)
            {
                c.AddWorker(o =>
                {
                    o.Concurrency = 4;
                    o.LeaseDuration = TimeSpan.FromSeconds(10);
                    o.ReceiveWait = TimeSpan.FromMilliseconds(200);
                    o.ShutdownGrace = TimeSpan.FromSeconds(5);
                });
            }
        });
        return new CeleriacCeleryApp(builder.Build());
    }

    public async Task<CeleriacCeleryApp> StartAsync()
    {
        await _host.StartAsync();
        _started = true;
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        if (_started) await _host.StopAsync();
        _host.Dispose();
    }
}
