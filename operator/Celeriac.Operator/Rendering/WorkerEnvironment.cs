using System.Globalization;
using System.Text.Json.Nodes;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Rendering;

/// <summary>
/// The worker host's configuration contract as container environment variables (README "Configuration").
/// Broker credentials only ever come from Secret references or the pod's identity.
/// </summary>
public static class WorkerEnvironment
{
    public const string RedisPasswordVariable = "CELERIAC_REDIS_PASSWORD";
    public const string StoreRedisPasswordVariable = "CELERIAC_STORE_REDIS_PASSWORD";
    public const string CeleryResultsPasswordVariable = "CELERIAC_CELERY_RESULTS_PASSWORD";

    public static JsonArray Build(TaskQueueSpec spec, PoolSpec pool, int? memoryCeilingMb, TimeSpan shutdownGrace)
    {
        var env = BrokerAndQueues(spec);
        var served = PoolQueuesInPriorityOrder(spec, pool);
        for (var i = 0; i < served.Count; i++) env.Add(Value($"Celeriac__Worker__Queues__{i}", served[i]));
        env.Add(Value("Celeriac__Worker__Concurrency", (pool.Concurrency ?? PoolSpec.DefaultConcurrency).ToString(CultureInfo.InvariantCulture)));
        if (memoryCeilingMb is { } mb) env.Add(Value("Celeriac__Worker__MemoryCeilingMb", mb.ToString(CultureInfo.InvariantCulture)));
        env.Add(Value("Celeriac__Worker__ShutdownGrace", KubeDuration.ToConfig(shutdownGrace)));
        var assemblies = spec.TaskAssemblies ?? [];
        for (var i = 0; i < assemblies.Count; i++) env.Add(Value($"Celeriac__Worker__TaskAssemblies__{i}", assemblies[i]));
        foreach (var task in spec.Tasks ?? [])
        {
            var prefix = $"Celeriac__Tasks__{task.Name}__";
            if (task.MaxRetries is { } retries) env.Add(Value(prefix + "MaxRetries", retries.ToString(CultureInfo.InvariantCulture)));
            if (KubeDuration.TryParse(task.SoftTimeLimit, out var soft)) env.Add(Value(prefix + "SoftTimeLimit", KubeDuration.ToConfig(soft)));
            if (KubeDuration.TryParse(task.TimeLimit, out var hard)) env.Add(Value(prefix + "HardTimeLimit", KubeDuration.ToConfig(hard)));
            if (KubeDuration.TryParse(task.Expires, out var expires)) env.Add(Value(prefix + "Expires", KubeDuration.ToConfig(expires)));
            if (task.RateLimit is { } rate) env.Add(Value(prefix + "RateLimit", rate));
        }
        foreach (var extra in pool.Env ?? [])
        {
            var variable = new JsonObject { ["name"] = extra.Name };
            if (extra.Value is not null) variable["value"] = extra.Value;
            if (extra.ValueFrom is not null) variable["valueFrom"] = extra.ValueFrom.DeepClone();
            env.Add(variable);
        }
        return env;
    }

    /// <summary>
    /// The part of the contract every Celeriac client of this TaskQueue shares (workers, and the operator's own
    /// connection for depth reads and schedules): the broker and the declared queues.
    /// </summary>
    public static JsonArray BrokerAndQueues(TaskQueueSpec spec)
    {
        var env = new JsonArray();
        AddBroker(env, spec.Broker);
        if (spec.Store?.Redis is { } store)
        {
            env.Add(Value("Celeriac__Store__Type", "redis"));
            AddRedis(env, store, "Celeriac__Store__Redis__", StoreRedisPasswordVariable);
        }
        var declared = OrderByPriority(spec.Queues);
        for (var i = 0; i < declared.Count; i++)
        {
            env.Add(Value($"Celeriac__Queues__{i}__Name", declared[i].Name));
            env.Add(Value($"Celeriac__Queues__{i}__Priority", (declared[i].Priority ?? 0).ToString(CultureInfo.InvariantCulture)));
            if (declared[i].IsCelery()) env.Add(Value($"Celeriac__Queues__{i}__Protocol", QueueSpec.CeleryProtocol));
        }
        if (spec.Queues.Any(q => q.IsCelery())) AddCelery(env, spec.Celery ?? new CelerySpec());
        return env;
    }

    /// <summary>Celery interop: kombu's settings and Celery's result backend (the transport is the broker's own kind).</summary>
    private static void AddCelery(JsonArray env, CelerySpec celery)
    {
        if (celery.KeyPrefix is { Length: > 0 } keyPrefix) env.Add(Value("Celeriac__Celery__Redis__KeyPrefix", keyPrefix));
        if (KubeDuration.TryParse(celery.VisibilityTimeout, out var visibility)) env.Add(Value("Celeriac__Celery__Redis__VisibilityTimeout", KubeDuration.ToConfig(visibility)));
        if (celery.QueueNamePrefix is { Length: > 0 } namePrefix) env.Add(Value("Celeriac__Celery__Sqs__QueueNamePrefix", namePrefix));
        if (celery.DefaultQueue is { Length: > 0 } defaultQueue) env.Add(Value("Celeriac__Celery__DefaultQueue", defaultQueue));
        if (celery.ResultBackend is { } results)
        {
            var address = results.Address is null ? null : results.Address + (results.Database is { } db ? $",defaultDatabase={db.ToString(CultureInfo.InvariantCulture)}" : "");
            AddRedisConnection(env, "Celeriac__Celery__ResultBackend__ConnectionString", address, results.Tls, results.PasswordSecretRef, results.ConnectionStringSecretRef, CeleryResultsPasswordVariable);
        }
    }

    /// <summary>Declared queues, highest priority first; equal priorities keep their declared order.</summary>
    public static IReadOnlyList<QueueSpec> OrderByPriority(IEnumerable<QueueSpec> queues) =>
        [.. queues.Select((q, i) => (q, i)).OrderByDescending(x => x.q.Priority ?? 0).ThenBy(x => x.i).Select(x => x.q)];

    public static IReadOnlyList<string> PoolQueuesInPriorityOrder(TaskQueueSpec spec, PoolSpec pool)
    {
        var priority = spec.Queues.GroupBy(q => q.Name).ToDictionary(g => g.Key, g => g.First().Priority ?? 0);
        return [.. pool.Queues.Distinct().Select((q, i) => (q, i))
            .OrderByDescending(x => priority.GetValueOrDefault(x.q)).ThenBy(x => x.i).Select(x => x.q)];
    }

    private static void AddBroker(JsonArray env, BrokerSpec broker)
    {
        if (broker.Redis is { } redis)
        {
            env.Add(Value("Celeriac__Broker__Type", "redis"));
            AddRedis(env, redis, "Celeriac__Broker__Redis__", RedisPasswordVariable);
        }
        else if (broker.Sqs is { } sqs)
        {
            env.Add(Value("Celeriac__Broker__Type", "sqs"));
            env.Add(Value("Celeriac__Broker__Sqs__Region", sqs.Region));
            env.Add(Value("Celeriac__Broker__Sqs__QueueUrlPrefix", sqs.QueueUrlPrefix));
            if (sqs.Endpoint is { } endpoint) env.Add(Value("Celeriac__Broker__Sqs__Endpoint", endpoint));
            if (sqs.CredentialsSecretRef is { } credentials)
            {
                env.Add(Secret("AWS_ACCESS_KEY_ID", credentials.Name, credentials.AccessKeyIdKey ?? "accessKeyId"));
                env.Add(Secret("AWS_SECRET_ACCESS_KEY", credentials.Name, credentials.SecretAccessKeyKey ?? "secretAccessKey"));
            }
        }
        else if (broker.ServiceBus is { } bus)
        {
            env.Add(Value("Celeriac__Broker__Type", "serviceBus"));
            if (bus.FullyQualifiedNamespace is { } ns) env.Add(Value("Celeriac__Broker__ServiceBus__FullyQualifiedNamespace", ns));
            if (bus.ConnectionStringSecretRef is { } cs) env.Add(Secret("Celeriac__Broker__ServiceBus__ConnectionString", cs.Name, cs.Key));
        }
    }

    private static void AddRedis(JsonArray env, RedisBrokerSpec redis, string prefix, string passwordVariable)
    {
        AddRedisConnection(env, prefix + "ConnectionString", redis.Address, redis.Tls, redis.PasswordSecretRef, redis.ConnectionStringSecretRef, passwordVariable);
        if (redis.KeyPrefix is { } keyPrefix) env.Add(Value(prefix + "KeyPrefix", keyPrefix));
    }

    private static void AddRedisConnection(JsonArray env, string variable, string? address, bool? tls, SecretKeyRef? passwordRef, SecretKeyRef? connectionStringRef, string passwordVariable)
    {
        if (connectionStringRef is { } cs)
        {
            env.Add(Secret(variable, cs.Name, cs.Key));
            return;
        }
        var connection = address ?? "";
        if (tls == true) connection += ",ssl=true";
        if (passwordRef is { } password)
        {
            // Kubernetes expands $(VAR) from variables defined earlier in the list, so the
            // password never appears in the Deployment.
            env.Add(Secret(passwordVariable, password.Name, password.Key));
            connection += $",password=$({passwordVariable})";
        }
        env.Add(Value(variable, connection));
    }

    private static JsonObject Value(string name, string value) => new() { ["name"] = name, ["value"] = value };

    private static JsonObject Secret(string name, string secret, string key) => new()
    {
        ["name"] = name,
        ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = secret, ["key"] = key } },
    };
}
