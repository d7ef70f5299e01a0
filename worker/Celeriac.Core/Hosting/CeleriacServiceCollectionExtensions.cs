using Celeriac.Client;
using Celeriac.FanOut;
using Celeriac.Observability;
using Celeriac.Pipeline;
using Celeriac.Routing;
using Celeriac.Tasks;
using Celeriac.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Celeriac.Hosting;

public static class CeleriacServiceCollectionExtensions
{
    /// <summary>
    /// Adds Celeriac: the task registry, the client (<see cref="ITaskClient"/>) and metrics. Options are
    /// bound from the <c>Celeriac</c> section of <paramref name="configuration"/>. Choose a broker and add a
    /// worker in <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddCeleriac(this IServiceCollection services, IConfiguration? configuration, Action<CeleriacBuilder>? configure = null)
    {
        var section = configuration?.GetSection("Celeriac");
        var builder = new CeleriacBuilder(services, section);
        services.AddCeleriacOptions<CeleriacOptions, CeleriacOptionsValidator>(section);

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new TaskRegistry(sp.GetServices<TaskDescriptor>()));
        services.TryAddSingleton(sp => new MiddlewareOrder(BuiltInMiddlewares.Order, sp.GetServices<MiddlewareRegistration>()));
        services.TryAddSingleton<TaskRouter>();
        services.TryAddSingleton<TaskPublisher>();
        services.TryAddSingleton<ITaskClient, TaskClient>();
        services.TryAddSingleton<TaskControl>();
        services.TryAddSingleton<WorkflowRunner>();
        services.TryAddSingleton<WorkflowClient>();
        services.TryAddSingleton<FanOutClient>();
        builder.UseInMemoryStoreIfNoneChosen();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITaskObserver, TaskMetrics>());
        configure?.Invoke(builder);
        return services;
    }

    public static IServiceCollection AddCeleriac(this IServiceCollection services, Action<CeleriacBuilder>? configure = null) =>
        services.AddCeleriac(null, configure);
}
