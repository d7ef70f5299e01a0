using Celeriac.Observability;
using Celeriac.Otlp;
using Celeriac.Prometheus;
using Celeriac.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Hosting;

/// <summary>What the <c>celeriac-worker</c> command line asks for.</summary>
/// <param name="Settings">Configuration keys and values, applied over every other source.</param>
/// <param name="ConfigPath">A settings file, or a directory with appsettings.json, read after the working directory's.</param>
/// <param name="EnvironmentName">Which appsettings.{Environment}.json is read; null: DOTNET_ENVIRONMENT, else Production.</param>
public sealed record WorkerHostArguments(IReadOnlyDictionary<string, string?> Settings, string? ConfigPath = null, string? EnvironmentName = null);

/// <summary>
/// The worker host: configuration from appsettings (beside the program, in the working directory, <c>--config</c>),
/// environment (<c>Celeriac__Worker__Concurrency</c>) and command line, the broker from configuration, task assemblies,
/// health endpoints, Prometheus metrics at /metrics (and OTLP export when <c>Celeriac:Otlp:Endpoint</c> is set), the
/// schedules of <c>Celeriac:Schedules</c> (one process at a time, by the store's lock), and the worker's exit code
/// (recycles exit non-zero so that restarts are visible; a configuration error exits 1 with one line naming its key).
/// </summary>
public static class CeleriacWorkerHost
{
    /// <summary>Builds, checks and runs the worker host; a configuration error prints one line to <paramref name="error"/> and returns 1.</summary>
    public static async Task<int> RunAsync(WorkerHostArguments arguments, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        WebApplication app;
        try
        {
            app = CreateBuilder(arguments).Build();
            StartupReport.Check(app.Services);
        }
        catch (Exception e) when (WorkerStartupErrors.Describe(e) is { } line)
        {
            await error.WriteLineAsync("celeriac-worker: " + line).ConfigureAwait(false);
            return WorkerExitCodes.Error;
        }
        await using (app.ConfigureAwait(false))
        {
            try
            {
                return await RunAsync(app).ConfigureAwait(false);
            }
            catch (Exception e) when (WorkerStartupErrors.Describe(e) is { } line)
            {
                await error.WriteLineAsync("celeriac-worker: " + line).ConfigureAwait(false);
                return WorkerExitCodes.Error;
            }
        }
    }

    public static WebApplicationBuilder CreateBuilder(WorkerHostArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = arguments.EnvironmentName,
        });
        ConfigurationFiles.Insert(builder.Configuration,
            ConfigurationFiles.Files(Directory.GetCurrentDirectory(), builder.Environment.EnvironmentName, arguments.ConfigPath));
        builder.Configuration.AddInMemoryCollection(arguments.Settings);
        if (arguments.Settings.TryGetValue(WebHostDefaults.ServerUrlsKey, out var urls) && !string.IsNullOrWhiteSpace(urls)) builder.WebHost.UseUrls(urls);
        builder.Services.AddSingleton(new StartupReport.Facts(
            ConfigurationFiles.Read(builder.Configuration),
            SqliteFileExisted(builder.Configuration.GetSection("Celeriac"))));
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

    /// <summary>Maps /healthz, /readyz and /metrics, logs what the worker is about to run, and runs it; returns the worker's exit code.</summary>
    public static async Task<int> RunAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapCeleriacHealth();
        app.MapPrometheusMetrics();
        StartupReport.Log(app.Services);
        var lifetime = app.Services.GetRequiredService<IWorkerLifetime>();
        await app.RunAsync().ConfigureAwait(false);
        return lifetime.ExitCode;
    }

    /// <summary>Whether the SQLite broker file was there before this process opened it (the start-up log says when it was created).</summary>
    private static bool? SqliteFileExisted(IConfiguration celeriac) =>
        BrokerDescription.BrokerType(celeriac) == BrokerSelection.Sqlite ? File.Exists(BrokerDescription.SqliteBrokerPath(celeriac)) : null;
}
