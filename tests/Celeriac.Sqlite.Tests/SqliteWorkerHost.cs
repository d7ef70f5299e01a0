using Celeriac.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Sqlite.Tests;

/// <summary>A worker host on a SQLite file running one task type, with short waits so tests stay quick.</summary>
public static class SqliteWorkerHost
{
    public static IHost Build<TTask>(string path, int concurrency, Action<CeleriacBuilder>? more = null) where TTask : class
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<Recorder>();
        builder.Services.AddCeleriac(celeriac => celeriac
            .UseSqliteBroker(o => o.Path = path)
            .AddTask<TTask>()
            .Apply(more)
            .AddWorker(w =>
            {
                w.Concurrency = concurrency;
                w.ReceiveWait = TimeSpan.FromMilliseconds(200);
                w.ShutdownGrace = TimeSpan.FromSeconds(5);
            }));
        return builder.Build();
    }

    private static CeleriacBuilder Apply(this CeleriacBuilder builder, Action<CeleriacBuilder>? more)
    {
        more?.Invoke(builder);
        return builder;
    }
}
