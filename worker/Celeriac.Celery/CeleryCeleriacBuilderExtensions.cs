using Celeriac.Celery;
using Celeriac.Celery.Execution;
using Celeriac.Celery.Results;
using Celeriac.Celery.Transport;
using Celeriac.Observability;
using Celeriac.Results;
using Celeriac.Workflows;
using Celeriac.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Celeriac.Hosting;

public static class CeleryCeleriacBuilderExtensions
{
    /// <summary>
    /// Serves and feeds the queues declared with <c>Protocol = celery</c> (<c>Celeriac:Queues:N:Protocol</c>) over the kombu
    /// transport <paramref name="transport"/> makes, whichever Celeriac broker carries the other queues: the broker is
    /// wrapped by <see cref="CeleryBroker"/>, tasks from Celery messages get <see cref="CeleryMiddleware"/> (results,
    /// callbacks, chains, chords, errbacks, time limits), and task handles also look in the Celery result backend.
    /// Options come from <c>Celeriac:Celery</c>, then from <paramref name="configure"/>. The transport packages call it
    /// (<c>UseCeleryRedisTransport</c>, <c>UseCelerySqsTransport</c>).
    /// </summary>
    public static CeleriacBuilder UseCelery(this CeleriacBuilder builder, Func<IServiceProvider, ICeleryTransport> transport, Action<CeleryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(transport);
        builder.AddCeleriacOptions<CeleryOptions, CeleryOptionsValidator>(configure);
        builder.Services.RemoveAll<ICeleryTransport>();
        builder.Services.AddSingleton(transport);
        if (builder.Services.Any(d => d.ServiceType == typeof(CeleryCanvas))) return builder;

        builder.Services.TryAddSingleton<CeleryRouting>();
        builder.Services.TryAddSingleton<ICeleryResultBackend, DisabledResultBackend>();
        builder.Services.TryAddSingleton<CeleryCanvas>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IResultSource, CeleryResultSource>());
        builder.UseMiddleware<CeleryMiddleware>(after: typeof(WorkflowMiddleware));
        builder.DecorateBroker((sp, inner) => new CeleryBroker(
            inner,
            sp.GetRequiredService<ICeleryTransport>(),
            sp.GetRequiredService<CeleryRouting>(),
            sp.GetRequiredService<TaskRegistry>(),
            sp.GetServices<ITaskObserver>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILogger<CeleryBroker>>()));
        return builder;
    }

    /// <summary>Uses <paramref name="backend"/> as Celery's result backend (replacing the one chosen before; without one, results are not kept).</summary>
    public static CeleriacBuilder UseCeleryResultBackend(this CeleriacBuilder builder, Func<IServiceProvider, ICeleryResultBackend> backend)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(backend);
        builder.Services.RemoveAll<ICeleryResultBackend>();
        builder.Services.AddSingleton(backend);
        return builder;
    }
}
