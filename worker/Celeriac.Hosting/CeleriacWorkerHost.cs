using Celeriac.Observability;
using Celeriac.Otlp;
using Celeriac.Prometheus;
using Celeriac.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Hosting;

/// <summary>
/// The worker host: configuration from appsettings, environment (<c>Celeriac__Worker__Concurrency</c>)
/// and command line, the broker from configuration, task assemblies, health endpoints, Prometheus
/// metrics at /metrics (and OTLP export when <c>Celeriac:Otlp:Endpoint</c> is set), the schedules of
/// <c>Celeriac:Schedules</c> (one process at a time, by the store's lock), and the
/// worker's exit code (recycles exit non-zero so that restarts are visible).
/// </summary>
public static class CeleriacWorkerHost
{
    /// <summary>Short command-line switches, mapped onto configuration keys.</summary>
    public static IReadOnlyDictionary<string, string> SwitchMappings { get; } = new Dictionary<string, string>
    {
        ["--broker"] = "Celeriac:Broker:Type",
        ["--db"] = "Celeriac:Broker:Sqlite:Path",
        ["--concurrency"] = "Celeriac:Worker:Concurrency",
        ["--memory-ceiling-mb"] = "Celeriac:Worker:MemoryCeilingMb",
        ["--lease"] = "Celeriac:Worker:LeaseDuration",
        ["--grace"] = "Celeriac:Worker:ShutdownGrace",
    };

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var (rest, lists) = ExtractLists(args);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = rest, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(rest, SwitchMappings.ToDictionary());
        builder.Configuration.AddInMemoryCollection(lists);
        builder.Services.AddCeleriac(builder.Configuration, celeriac => celeriac
            .UseBrokerFromConfiguration()
            .AddTaskAssembliesFromConfiguration()
            .AddWorker());
        builder.Services.AddHealthChecks().AddCeleriacChecks();
        builder.Services.AddCeleriacSchedules(builder.Configuration);
        builder.Services.AddPrometheusExporter(o => o.MeterNames.Add(CeleriacDiagnostics.MeterName));
        builder.Services.AddCeleriacOtlp(builder.Configuration);
        return builder;
    }

    public static async Task<int> RunAsync(WebApplication app)
    {
        app.MapCeleriacHealth();
        app.MapPrometheusMetrics();
        var lifetime = app.Services.GetRequiredService<IWorkerLifetime>();
        await app.RunAsync().ConfigureAwait(false);
        return lifetime.ExitCode;
    }

    /// <summary><c>--queues a,b</c> and <c>--tasks x.dll,y.dll</c> become indexed configuration lists.</summary>
    private static (string[] Remaining, Dictionary<string, string?> Lists) ExtractLists(string[] args)
    {
        var targets = new Dictionary<string, string>
        {
            ["--queues"] = "Celeriac:Worker:Queues",
            ["--tasks"] = "Celeriac:Worker:TaskAssemblies",
        };
        var rest = new List<string>();
        var lists = new Dictionary<string, string?>();
        for (var i = 0; i < args.Length; i++)
        {
            if (targets.TryGetValue(args[i], out var key) && i + 1 < args.Length)
            {
                var items = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                for (var j = 0; j < items.Length; j++) lists[$"{key}:{j}"] = items[j];
            }
            else rest.Add(args[i]);
        }
        return ([.. rest], lists);
    }
}
