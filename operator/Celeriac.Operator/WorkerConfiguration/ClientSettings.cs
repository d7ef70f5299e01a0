using System.Reflection;
using Celeriac.Celery;
using Celeriac.Celery.Redis;
using Celeriac.Celery.Sqs;
using Celeriac.Hosting;
using Celeriac.Operator.Model;
using Celeriac.Redis;
using Celeriac.Routing;
using Celeriac.ServiceBus;
using Celeriac.Sqs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Operator.WorkerConfiguration;

/// <summary>The text of a Secret's key in a setting.</summary>
/// <param name="variable">
/// The environment variable a pod reads the Secret through when the setting holds more than the Secret's value
/// (a Redis password inside a connection string) or when a library reads it from its own variable (AWS keys);
/// null when the setting is the Secret's value alone.
/// </param>
public delegate string SecretText(SecretKeyRef secret, string? variable);

/// <summary>
/// What a TaskQueue configures in every Celeriac client of it (its workers and the operator's own connection), as the
/// worker's own options types: the broker, the shared store, the declared queues and, when a queue speaks Celery's
/// protocol, the Celery interop. <see cref="For"/> is the one mapping
/// from the spec; <see cref="WorkerEnvironment"/> writes its result into each pod's environment, and the operator's
/// connection (<see cref="Brokers.TaskQueueBrokers"/>) is configured with it directly, its Secrets read through the API.
/// </summary>
public sealed record ClientSettings
{
    public const string RedisPasswordVariable = "CELERIAC_REDIS_PASSWORD";
    public const string StoreRedisPasswordVariable = "CELERIAC_STORE_REDIS_PASSWORD";
    public const string CeleryResultsPasswordVariable = "CELERIAC_CELERY_RESULTS_PASSWORD";

    // The AWS SDK reads these from a pod's environment; the operator serves many TaskQueues from one process, so it sets
    // the SQS broker's explicit options instead.
    public const string AwsAccessKeyIdVariable = "AWS_ACCESS_KEY_ID";
    public const string AwsSecretAccessKeyVariable = "AWS_SECRET_ACCESS_KEY";

    /// <summary>The broker's name in <c>Celeriac:Broker:Type</c> (<see cref="BrokerSelection"/>).</summary>
    public required string BrokerType { get; init; }

    /// <summary>The options of the broker named by <see cref="BrokerType"/>; the others are null.</summary>
    public RedisBrokerOptions? Redis { get; init; }
    public SqsBrokerOptions? Sqs { get; init; }
    public ServiceBusBrokerOptions? ServiceBus { get; init; }

    /// <summary>A Redis store next to the broker (<c>spec.store.redis</c>); null: the broker's own, or per process.</summary>
    public RedisStoreOptions? Store { get; init; }

    /// <summary>The declared queues, highest priority first.</summary>
    public required IReadOnlyList<QueueDefinition> Queues { get; init; }

    /// <summary>Routes by task name or pattern (<c>spec.routes</c>), in the spec's order: every producer sends by them.</summary>
    public required IReadOnlyList<TaskRoute> Routes { get; init; }

    /// <summary>Celery interop (<c>spec.celery</c>); null when no queue has protocol celery.</summary>
    public CelerySettings? Celery { get; init; }

    /// <param name="spec">A validated spec (exactly one broker).</param>
    public static ClientSettings For(TaskQueueSpec spec, SecretText secret)
    {
        var queues = spec.QueuesByPriority().Select(q => new QueueDefinition { Name = q.Name, Priority = q.Priority, Protocol = q.Protocol }).ToList();
        var routes = (spec.Routes ?? []).Select(r => new TaskRoute { Pattern = r.Pattern, Queue = r.Queue }).ToList();
        var store = spec.Store?.Redis is { } storeRedis ? new RedisStoreOptions { ConnectionString = RedisConnectionString(storeRedis, secret, StoreRedisPasswordVariable) } : null;
        if (store is not null && spec.Store!.Redis!.KeyPrefix is { } storePrefix) store.KeyPrefix = storePrefix;
        var broker = spec.Broker;
        if (broker.Redis is { } redis)
        {
            var options = new RedisBrokerOptions { ConnectionString = RedisConnectionString(redis, secret, RedisPasswordVariable) };
            if (redis.KeyPrefix is { } prefix) options.KeyPrefix = prefix;
            return new ClientSettings { BrokerType = BrokerSelection.Redis, Redis = options, Store = store, Queues = queues, Routes = routes, Celery = CelerySettings.For(spec, secret, options, null) };
        }
        if (broker.Sqs is { } sqs)
        {
            var options = new SqsBrokerOptions { Region = sqs.Region, QueueUrlPrefix = sqs.QueueUrlPrefix, Endpoint = sqs.Endpoint };
            if (sqs.CredentialsSecretRef is { } credentials)
            {
                options.AccessKeyId = secret(new SecretKeyRef { Name = credentials.Name, Key = credentials.AccessKeyIdKey }, AwsAccessKeyIdVariable);
                options.SecretAccessKey = secret(new SecretKeyRef { Name = credentials.Name, Key = credentials.SecretAccessKeyKey }, AwsSecretAccessKeyVariable);
            }
            return new ClientSettings { BrokerType = BrokerSelection.Sqs, Sqs = options, Store = store, Queues = queues, Routes = routes, Celery = CelerySettings.For(spec, secret, null, options) };
        }
        var bus = broker.ServiceBus ?? throw new ArgumentException("the spec names no broker", nameof(spec));
        return new ClientSettings
        {
            BrokerType = BrokerSelection.ServiceBus,
            ServiceBus = new ServiceBusBrokerOptions
            {
                FullyQualifiedNamespace = bus.FullyQualifiedNamespace,
                ConnectionString = bus.ConnectionStringSecretRef is { } connection ? secret(connection, null) : null,
            },
            Store = store,
            Queues = queues,
            Routes = routes,
        };
    }

    /// <summary>The settings with the Secrets' values, read once each.</summary>
    /// <param name="read">A Secret's key; null when the Secret or the key does not exist.</param>
    /// <exception cref="InvalidOperationException">A Secret or key the spec names is missing.</exception>
    public static async Task<ClientSettings> ResolveAsync(TaskQueueSpec spec, Func<SecretKeyRef, CancellationToken, Task<string?>> read,
        CancellationToken cancellationToken)
    {
        var wanted = new List<SecretKeyRef>();
        For(spec, (secret, _) =>
        {
            wanted.Add(secret);
            return "";
        });
        var values = new Dictionary<(string, string), string>();
        foreach (var secret in wanted.DistinctBy(s => (s.Name, s.Key)))
            values[(secret.Name, secret.Key)] = await read(secret, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Secret '{secret.Name}' has no key '{secret.Key}' (referenced by the TaskQueue's broker settings).");
        return For(spec, (secret, _) => values[(secret.Name, secret.Key)]);
    }

    /// <summary>Lays configuration (the <c>Celeriac</c> section) over the settings, as configuration lands on options.</summary>
    public void Bind(IConfiguration celeriac)
    {
        if (Redis is not null) celeriac.GetSection(ConfigurationKeys.RedisBrokerSection).Bind(Redis);
        if (Sqs is not null) celeriac.GetSection(ConfigurationKeys.SqsSection).Bind(Sqs);
        if (ServiceBus is not null) celeriac.GetSection(ConfigurationKeys.ServiceBusSection).Bind(ServiceBus);
        if (Store is not null) celeriac.GetSection(ConfigurationKeys.RedisStoreSection).Bind(Store);
        if (Celery is { } celery)
        {
            celeriac.GetSection(ConfigurationKeys.CelerySection).Bind(celery.Options);
            if (celery.Redis is not null) celeriac.GetSection(ConfigurationKeys.CeleryRedisSection).Bind(celery.Redis);
            if (celery.Sqs is not null) celeriac.GetSection(ConfigurationKeys.CelerySqsSection).Bind(celery.Sqs);
            if (celery.ResultBackend is not null) celeriac.GetSection(ConfigurationKeys.CeleryResultBackendSection).Bind(celery.ResultBackend);
        }
    }

    /// <summary>Uses the broker with these options.</summary>
    public CeleriacBuilder UseBroker(CeleriacBuilder celeriac) => BrokerType switch
    {
        BrokerSelection.Redis => celeriac.UseRedisBroker(Copy(Redis!)),
        BrokerSelection.Sqs => celeriac.UseSqsBroker(Copy(Sqs!)),
        BrokerSelection.ServiceBus => celeriac.UseServiceBusBroker(Copy(ServiceBus!)),
        _ => throw new InvalidOperationException($"broker '{BrokerType}' is not one a TaskQueue names"),
    };

    /// <summary>Uses the store (when the spec names one), declares the queues and routes by the spec's routes.</summary>
    public CeleriacBuilder UseStoreAndQueues(CeleriacBuilder celeriac)
    {
        if (Store is not null) celeriac.UseRedisStore(Copy(Store));
        celeriac.Services.Configure<CeleriacOptions>(o =>
        {
            o.Queues = [.. Queues.Select(q => new QueueDefinition { Name = q.Name, Priority = q.Priority, Protocol = q.Protocol })];
            o.Routes = [.. Routes.Select(r => new TaskRoute { Pattern = r.Pattern, Queue = r.Queue })];
        });
        return celeriac;
    }

    /// <summary>Serves the Celery queues over kombu's transport of the broker, with Celery's result backend when there is one.</summary>
    public CeleriacBuilder UseCelery(CeleriacBuilder celeriac)
    {
        if (Celery is not { } celery) return celeriac;
        if (celery.Redis is { } redis) celeriac.UseCeleryRedisTransport(Copy(redis));
        if (celery.Sqs is { } sqs) celeriac.UseCelerySqsTransport(Copy(sqs));
        celeriac.Services.Configure(Copy(celery.Options));
        if (celery.ResultBackend is { } results) celeriac.UseCeleryRedisResultBackend(Copy(results));
        return celeriac;
    }

    private static string RedisConnectionString(RedisBrokerSpec redis, SecretText secret, string passwordVariable) =>
        RedisConnectionString(redis.Address, redis.Tls, redis.PasswordSecretRef, redis.ConnectionStringSecretRef, secret, passwordVariable);

    internal static string RedisConnectionString(string? address, bool tls, SecretKeyRef? passwordSecret, SecretKeyRef? connectionStringSecret,
        SecretText secret, string passwordVariable)
    {
        if (connectionStringSecret is { } whole) return secret(whole, null);
        var connection = address ?? "";
        if (tls) connection += ",ssl=true";
        // Kubernetes expands $(VAR) from variables defined earlier, so the password never appears in the Deployment.
        if (passwordSecret is { } password) connection += ",password=" + secret(password, passwordVariable);
        return connection;
    }

    /// <summary>Sets every setting of the options the host builds to this one's (configuration was laid over it already).</summary>
    internal static Action<T> Copy<T>(T source) where T : class => target =>
    {
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.SetMethod?.IsPublic == true))
            property.SetValue(target, property.GetValue(source));
    };
}
