using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Control;
using Celeriac.FanOut;
using Celeriac.Observability;
using Celeriac.Pipeline;
using Celeriac.Progress;
using Celeriac.Registry;
using Celeriac.Routing;
using Celeriac.TaskIndex;
using Celeriac.Tasks;
using Celeriac.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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
        services.TryAddSingleton(sp => new DeadLetterReplayer(sp.GetRequiredService<IBroker>(), sp.GetRequiredService<IBrokerAdmin>(),
            sp.GetService<TaskIndexWriter>(), sp.GetService<TimeProvider>()));
        AddLiveView(services, section);
        builder.UseInMemoryStoreIfNoneChosen();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITaskObserver, TaskMetrics>());
        configure?.Invoke(builder);
        return services;
    }

    /// <summary>
    /// What every process has for the live view: its identity, the control settings it applied, the control client, and
    /// the recent-tasks index's recorder and writer (producers record enqueues; workers starts, ends and progress).
    /// </summary>
    private static void AddLiveView(IServiceCollection services, IConfiguration? section)
    {
        if (services.Any(d => d.ServiceType == typeof(TaskIndexWriter))) return;
        services.AddCeleriacOptions<TaskIndexOptions, TaskIndexOptionsValidator>(section);
        services.AddCeleriacOptions<RegistryOptions, RegistryOptionsValidator>(section);
        services.TryAddSingleton<WorkerIdentity>();
        services.TryAddSingleton<RegisteredTasks>();
        services.TryAddSingleton<ControlState>();
        services.TryAddSingleton<ControlClient>();
        services.AddSingleton(sp => new RunningStarts(sp.GetService<WorkerActivity>(), sp.GetRequiredService<WorkerIdentity>(),
            sp.GetRequiredService<IOptions<TaskIndexOptions>>().Value.MaxArgsLength));
        services.AddSingleton<TaskIndexWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<TaskIndexWriter>());
        services.AddSingleton<TaskIndexRecorder>();
        services.AddSingleton<ITaskObserver>(sp => sp.GetRequiredService<TaskIndexRecorder>());
        services.TryAddSingleton<ITaskProgress, TaskProgressRecorder>();
    }

    public static IServiceCollection AddCeleriac(this IServiceCollection services, Action<CeleriacBuilder>? configure = null) =>
        services.AddCeleriac(null, configure);
}
