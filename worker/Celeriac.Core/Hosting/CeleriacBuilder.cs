using System.Reflection;
using Celeriac.Brokers;
using Celeriac.Observability;
using Celeriac.Pipeline;
using Celeriac.RateLimits;
using Celeriac.Revocation;
using Celeriac.Tasks;
using Celeriac.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Celeriac.Hosting;

/// <summary>What <c>services.AddCeleriac(...)</c> hands to its configure callback.</summary>
public sealed class CeleriacBuilder
{
    internal CeleriacBuilder(IServiceCollection services, IConfiguration? configuration)
    {
        Services = services;
        Configuration = configuration;
    }

    public IServiceCollection Services { get; }

    /// <summary>The <c>Celeriac</c> configuration section, when configuration was given.</summary>
    public IConfiguration? Configuration { get; }

    /// <summary>Registers a task. Options: attribute, then <paramref name="configure"/>, then <c>Celeriac:Tasks:&lt;name&gt;</c> (<see cref="TaskConfiguration"/>).</summary>
    public CeleriacBuilder AddTask<TTask>(Action<TaskOptions>? configure = null, string? name = null) where TTask : class =>
        AddTask(typeof(TTask), configure, name);

    public CeleriacBuilder AddTask(Type taskType, Action<TaskOptions>? configure = null, string? name = null)
    {
        Services.TryAddTransient(taskType);
        var configuration = Configuration;
        Services.AddSingleton(_ =>
        {
            var options = new TaskOptions();
            var descriptor = TaskDescriptor.Create(taskType, options, name);
            configure?.Invoke(options);
            if (configuration is not null)
                foreach (var section in TaskConfiguration.Sections(configuration, descriptor.Name)) section.Bind(options);
            // A malformed rate limit fails at start-up, not on every execution.
            if (!string.IsNullOrWhiteSpace(options.RateLimit))
            {
                try
                {
                    RateLimit.Parse(options.RateLimit);
                }
                catch (FormatException e)
                {
                    throw new FormatException($"Celeriac:{TaskConfiguration.SectionName}:{descriptor.Name}:{nameof(TaskOptions.RateLimit)}: {e.Message}", e);
                }
            }
            return descriptor;
        });
        return this;
    }

    /// <summary>Registers every concrete type of the assembly that carries <see cref="CeleriacTaskAttribute"/>.</summary>
    public CeleriacBuilder AddTasksFromAssembly(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && t.IsDefined(typeof(CeleriacTaskAttribute), false)))
            AddTask(type);
        return this;
    }

    /// <summary>
    /// Uses the broker the factory makes. It is also the <see cref="IBrokerAdmin"/> when it implements it;
    /// otherwise resolving IBrokerAdmin says the broker has no administration API.
    /// </summary>
    public CeleriacBuilder UseBroker(Func<IServiceProvider, IBroker> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.RemoveAll<IBroker>();
        Services.RemoveAll<IBrokerAdmin>();
        Services.AddSingleton(sp => sp.GetServices<BrokerDecoration>().Aggregate(factory(sp), (broker, decoration) => decoration.Decorate(sp, broker)));
        Services.AddSingleton(sp => sp.GetRequiredService<IBroker>() as IBrokerAdmin
            ?? throw new NotSupportedException($"The broker {sp.GetRequiredService<IBroker>().GetType().Name} has no administration API (purge, dead letters)."));
        return this;
    }

    /// <summary>
    /// Wraps the broker, whichever is chosen and whether before or after this call: the <see cref="IBroker"/> (and
    /// <see cref="IBrokerAdmin"/>) the worker and the client get is what <paramref name="decorate"/> returns for it.
    /// Decorations apply in registration order (the first one innermost). Interop layers use it to serve some queues
    /// over another transport (Celery queues).
    /// </summary>
    public CeleriacBuilder DecorateBroker(Func<IServiceProvider, IBroker, IBroker> decorate)
    {
        ArgumentNullException.ThrowIfNull(decorate);
        Services.AddSingleton(new BrokerDecoration(decorate));
        return this;
    }

    /// <summary>Uses an in-process broker, registered once as <see cref="IBroker"/> and <see cref="IBrokerAdmin"/>.</summary>
    public CeleriacBuilder UseInMemoryBroker(InMemoryBroker? broker = null)
    {
        var instance = broker;
        Services.RemoveAll<InMemoryBroker>();
        Services.AddSingleton(sp => instance ?? new InMemoryBroker(sp.GetService<TimeProvider>()));
        return UseBroker(sp => sp.GetRequiredService<InMemoryBroker>());
    }

    /// <summary>
    /// Uses a store for rate limits, locks, results, revocations, workflow joins and fan-out progress, one implementation
    /// per feature (replacing any chosen before).
    /// </summary>
    public CeleriacBuilder UseStore(StoreServices store)
    {
        ArgumentNullException.ThrowIfNull(store);
        Replace(store.RateLimits);
        Replace(store.Locks);
        Replace(store.Results);
        Replace(store.Revocations);
        Replace(store.Workflows);
        Replace(store.FanOutProgress);
        return this;
    }

    private void Replace<TService>(Func<IServiceProvider, TService> factory) where TService : class
    {
        Services.RemoveAll<TService>();
        Services.AddSingleton(factory);
    }

    /// <summary>Keeps rate limits, locks, results and revocations in this process (per worker, not shared).</summary>
    public CeleriacBuilder UseInMemoryStore() => UseStore(StoreServices.InMemory);

    internal void UseInMemoryStoreIfNoneChosen()
    {
        if (Services.Any(d => d.ServiceType == typeof(IRateLimiter))) return;
        UseInMemoryStore();
    }

    /// <summary>
    /// Adds a middleware (<see cref="ITaskMiddleware"/>, <see cref="IEnqueueMiddleware"/> or both): next to the task and
    /// the broker by default, or just before or after a built-in one (<see cref="BuiltInMiddlewares.Order"/>).
    /// </summary>
    public CeleriacBuilder UseMiddleware<TMiddleware>(Type? before = null, Type? after = null) where TMiddleware : class
    {
        if (!typeof(ITaskMiddleware).IsAssignableFrom(typeof(TMiddleware)) && !typeof(IEnqueueMiddleware).IsAssignableFrom(typeof(TMiddleware)))
            throw new ArgumentException($"{typeof(TMiddleware).Name} implements neither ITaskMiddleware nor IEnqueueMiddleware.", nameof(TMiddleware));
        if (before is not null && after is not null) throw new ArgumentException("A middleware goes before one built-in or after one, not both.", nameof(after));
        Services.TryAddSingleton<TMiddleware>();
        Services.AddSingleton(new MiddlewareRegistration(typeof(TMiddleware), before, after));
        return this;
    }

    public CeleriacBuilder AddObserver<TObserver>() where TObserver : class, ITaskObserver
    {
        Services.AddSingleton<ITaskObserver, TObserver>();
        return this;
    }

    /// <summary>Runs a worker in this host (an IHostedService) with options from <c>Celeriac:Worker</c>.</summary>
    public CeleriacBuilder AddWorker(Action<WorkerOptions>? configure = null)
    {
        this.AddCeleriacOptions<WorkerOptions, WorkerOptionsValidator>(configure);

        Services.TryAddSingleton<TaskPipeline>();
        Services.TryAddSingleton<MessageDispatcher>();
        // Started in this order, stopped in the reverse one: revocations are read before the first fetch, and the last
        // acks are sent after the worker's drain.
        if (!Services.Any(d => d.ServiceType == typeof(RevocationWatcher)))
        {
            Services.AddSingleton<RevocationWatcher>();
            Services.AddHostedService(sp => sp.GetRequiredService<RevocationWatcher>());
            Services.AddSingleton<AckBatcher>();
            Services.AddHostedService(sp => sp.GetRequiredService<AckBatcher>());
        }
        Services.TryAddSingleton<WorkerHealth>();
        Services.TryAddSingleton<WorkerLifetime>();
        Services.TryAddSingleton<IWorkerLifetime>(sp => sp.GetRequiredService<WorkerLifetime>());
        Services.TryAddSingleton(sp =>
        {
            var worker = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
            var celeriac = sp.GetRequiredService<IOptions<CeleriacOptions>>().Value;
            var names = worker.Queues.Count > 0 ? worker.Queues
                : celeriac.Queues.Count > 0 ? celeriac.Queues.Select(q => q.Name).ToList()
                : ["default"];
            return new QueueOrder(names.Select(n => (n, celeriac.PriorityOf(n))), worker.StarvationGuardEvery);
        });
        Services.TryAddSingleton<WorkerService>();
        Services.AddHostedService(sp => sp.GetRequiredService<WorkerService>());
        Services.AddHostedService<MemoryWatchdog>();
        Services.TryAddSingleton<WorkerMetrics>();
        Services.AddHostedService(sp => sp.GetRequiredService<WorkerMetrics>());
        Services.AddOptions<Microsoft.Extensions.Hosting.HostOptions>().Configure<IEnumerable<IConfigureOptions<WorkerOptions>>>((host, configures) =>
        {
            // The host must wait for the worker's own drain (grace + release) before it gives up,
            // whether the grace came from configuration or from code. The worker options are built here
            // without validation, so that invalid ones are still reported by ValidateOnStart.
            var worker = new WorkerOptions();
            foreach (var configureWorker in configures) configureWorker.Configure(worker);
            var needed = worker.ShutdownGrace + TimeSpan.FromSeconds(10);
            if (host.ShutdownTimeout < needed) host.ShutdownTimeout = needed;
        });
        return this;
    }
}

/// <summary>A wrapper around the chosen broker, registered by <see cref="CeleriacBuilder.DecorateBroker"/>.</summary>
public sealed record BrokerDecoration(Func<IServiceProvider, IBroker, IBroker> Decorate);
