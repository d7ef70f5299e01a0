using System.Globalization;
using System.Text.Json.Nodes;
using Celeriac.Celery;
using Celeriac.Celery.Redis;
using Celeriac.Celery.Sqs;
using Celeriac.Hosting;
using Celeriac.Operator.Model;
using Celeriac.Redis;
using Celeriac.Routing;
using Celeriac.ServiceBus;
using Celeriac.Sqs;
using Celeriac.Tasks;
using Celeriac.Worker;
using static Celeriac.Operator.WorkerConfiguration.ConfigurationKeys;

namespace Celeriac.Operator.WorkerConfiguration;

/// <summary>
/// A worker container's environment: the TaskQueue's <see cref="ClientSettings"/>, the pool's worker settings and the task
/// policies as the worker host's configuration (<c>Celeriac__...</c>, keys from <see cref="ConfigurationKeys"/>), then the
/// pool's own variables. Secrets only ever arrive through <c>valueFrom</c>: a setting that is a Secret's value is read
/// from it; one that holds a Secret inside other text refers to a variable read from it (Kubernetes expands <c>$(VAR)</c>
/// from earlier variables), and every other <c>$</c> is written as <c>$$</c> so that the worker reads the text as it was.
/// </summary>
public static class WorkerEnvironment
{

    public static JsonArray Build(TaskQueueSpec spec, PoolSpec pool, int? memoryCeilingMb, TimeSpan shutdownGrace)
    {
        var env = new Writer();
        // The worker's registry entry names its pod, so the autoscaler can tell which pods are busy (idle-first scale-in).
        env.Variables.Add(new JsonObject
        {
            ["name"] = Celeriac.Registry.WorkerIdentity.PodNameVariable,
            ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = "metadata.name" } },
        });
        env.Client(ClientSettings.For(spec, env.Secret), spec);
        var served = spec.QueuesOf(pool);
        for (var i = 0; i < served.Count; i++) env.Value(Key(WorkerSection, nameof(WorkerOptions.Queues), i), served[i]);
        env.Value(Key(WorkerSection, nameof(WorkerOptions.Concurrency)), Text(pool.Concurrency));
        if (memoryCeilingMb is { } mb) env.Value(Key(WorkerSection, nameof(WorkerOptions.MemoryCeilingMb)), Text(mb));
        env.Value(Key(WorkerSection, nameof(WorkerOptions.ShutdownGrace)), KubeDuration.ToConfig(shutdownGrace));
        var assemblies = spec.TaskAssemblies ?? [];
        for (var i = 0; i < assemblies.Count; i++) env.Value(Key(WorkerSection, TaskAssembliesSetting, i), assemblies[i]);
        foreach (var task in spec.Tasks ?? [])
        {
            string Of(string option) => Key(TasksSection, task.Name, option);
            if (task.MaxRetries is { } retries) env.Value(Of(nameof(TaskOptions.MaxRetries)), Text(retries));
            if (KubeDuration.TryParse(task.SoftTimeLimit, out var soft)) env.Value(Of(nameof(TaskOptions.SoftTimeLimit)), KubeDuration.ToConfig(soft));
            if (KubeDuration.TryParse(task.TimeLimit, out var hard)) env.Value(Of(nameof(TaskOptions.HardTimeLimit)), KubeDuration.ToConfig(hard));
            if (KubeDuration.TryParse(task.Expires, out var expires)) env.Value(Of(nameof(TaskOptions.Expires)), KubeDuration.ToConfig(expires));
            if (task.RateLimit is { } rate) env.Value(Of(nameof(TaskOptions.RateLimit)), rate);
        }
        foreach (var extra in pool.Env ?? [])
        {
            // The user's own variables, as Kubernetes defines them: $(VAR) in them is theirs to use.
            var variable = new JsonObject { ["name"] = extra.Name };
            if (extra.Value is not null) variable["value"] = extra.Value;
            if (extra.ValueFrom is not null) variable["valueFrom"] = extra.ValueFrom.DeepClone();
            env.Variables.Add(variable);
        }
        return env.Variables;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes variables in order, and the Secret variables a setting refers to before it.</summary>
    private sealed class Writer
    {
        // A Secret inside a setting's text, until the text is written: unique to this writer, so never a spec's own text.
        private readonly string _marker = $"\u0001{Guid.NewGuid():N}:";
        private readonly List<(string Marker, SecretKeyRef Secret, string? Variable)> _secrets = [];
        private readonly HashSet<string> _defined = new(StringComparer.Ordinal);

        public JsonArray Variables { get; } = [];

        public string Secret(SecretKeyRef secret, string? variable)
        {
            var marker = _marker + _secrets.Count.ToString(CultureInfo.InvariantCulture) + "\u0001";
            _secrets.Add((marker, secret, variable));
            return marker;
        }

        /// <param name="spec">Which optional settings the spec states: only those are written (the worker has the same defaults).</param>
        public void Client(ClientSettings settings, TaskQueueSpec spec)
        {
            Value(BrokerType, settings.BrokerType);
            if (settings.Redis is { } redis)
            {
                Value(Key(RedisBrokerSection, nameof(RedisBrokerOptions.ConnectionString)), redis.ConnectionString);
                if (spec.Broker.Redis?.KeyPrefix is not null) Value(Key(RedisBrokerSection, nameof(RedisBrokerOptions.KeyPrefix)), redis.KeyPrefix);
            }
            if (settings.Sqs is { } sqs)
            {
                Value(Key(SqsSection, nameof(SqsBrokerOptions.Region)), sqs.Region);
                Value(Key(SqsSection, nameof(SqsBrokerOptions.QueueUrlPrefix)), sqs.QueueUrlPrefix);
                Value(Key(SqsSection, nameof(SqsBrokerOptions.Endpoint)), sqs.Endpoint);
                // The AWS SDK in the pod reads the keys from its own variables.
                Define(sqs.AccessKeyId);
                Define(sqs.SecretAccessKey);
            }
            if (settings.ServiceBus is { } bus)
            {
                Value(Key(ServiceBusSection, nameof(ServiceBusBrokerOptions.FullyQualifiedNamespace)), bus.FullyQualifiedNamespace);
                Value(Key(ServiceBusSection, nameof(ServiceBusBrokerOptions.ConnectionString)), bus.ConnectionString);
            }
            if (settings.Store is { } store)
            {
                Value(StoreType, StoreSelection.Redis);
                Value(Key(RedisStoreSection, nameof(RedisStoreOptions.ConnectionString)), store.ConnectionString);
                if (spec.Store?.Redis?.KeyPrefix is not null) Value(Key(RedisStoreSection, nameof(RedisStoreOptions.KeyPrefix)), store.KeyPrefix);
            }
            for (var i = 0; i < settings.Queues.Count; i++)
            {
                Value(Key(nameof(CeleriacOptions.Queues), i, nameof(QueueDefinition.Name)), settings.Queues[i].Name);
                Value(Key(nameof(CeleriacOptions.Queues), i, nameof(QueueDefinition.Priority)), Text(settings.Queues[i].Priority));
                if (settings.Queues[i].Protocol != QueueProtocols.Celeriac) Value(Key(nameof(CeleriacOptions.Queues), i, nameof(QueueDefinition.Protocol)), settings.Queues[i].Protocol);
            }
            // The pattern is a value, not part of the key, so a task name with dots needs no shell-safe spelling here.
            for (var i = 0; i < settings.Routes.Count; i++)
            {
                Value(Key(nameof(CeleriacOptions.Routes), i, nameof(TaskRoute.Pattern)), settings.Routes[i].Pattern);
                Value(Key(nameof(CeleriacOptions.Routes), i, nameof(TaskRoute.Queue)), settings.Routes[i].Queue);
            }
            if (settings.Celery is { } celery) Celery(celery, spec.Celery ?? new CelerySpec());
        }

        /// <summary>What the spec states; the transport and its connection (or URL base) the worker host derives from the broker.</summary>
        private void Celery(CelerySettings celery, CelerySpec stated)
        {
            if (celery.Redis is { } redis)
            {
                if (stated.KeyPrefix is { Length: > 0 }) Value(Key(CeleryRedisSection, nameof(CeleryRedisOptions.KeyPrefix)), redis.KeyPrefix);
                if (KubeDuration.TryParse(stated.VisibilityTimeout, out _))
                    Value(Key(CeleryRedisSection, nameof(CeleryRedisOptions.VisibilityTimeout)), KubeDuration.ToConfig(redis.VisibilityTimeout));
            }
            if (celery.Sqs is { } sqs && stated.QueueNamePrefix is { Length: > 0 })
                Value(Key(CelerySqsSection, nameof(CelerySqsOptions.QueueNamePrefix)), sqs.QueueNamePrefix);
            if (stated.DefaultQueue is { Length: > 0 }) Value(Key(CelerySection, nameof(CeleryOptions.DefaultQueue)), celery.Options.DefaultQueue);
            if (celery.ResultBackend is { } results) Value(Key(CeleryResultBackendSection, nameof(CeleryResultBackendOptions.ConnectionString)), results.ConnectionString);
        }

        /// <summary>A setting (nothing when null): read from a Secret when it is one, else its text with Secrets referred to.</summary>
        public void Value(string key, string? text)
        {
            if (text is null) return;
            var name = Variable(key);
            if (_secrets.FirstOrDefault(s => s.Marker == text) is { Marker: not null } whole)
            {
                Variables.Add(FromSecret(name, whole.Secret));
                return;
            }
            var value = text.Replace("$", "$$", StringComparison.Ordinal);
            foreach (var (marker, secret, variable) in _secrets.Where(s => text.Contains(s.Marker, StringComparison.Ordinal)))
            {
                var defined = variable ?? throw new InvalidOperationException($"{key} holds a Secret inside other text without a variable to read it through");
                if (_defined.Add(defined)) Variables.Add(FromSecret(defined, secret));
                value = value.Replace(marker, $"$({defined})", StringComparison.Ordinal);
            }
            Variables.Add(new JsonObject { ["name"] = name, ["value"] = value });
        }

        /// <summary>Only the variable a Secret setting is read through (nothing when null).</summary>
        private void Define(string? text)
        {
            if (text is null) return;
            var (_, secret, variable) = _secrets.Single(s => s.Marker == text);
            if (_defined.Add(variable!)) Variables.Add(FromSecret(variable!, secret));
        }

        private static JsonObject FromSecret(string name, SecretKeyRef secret) => new()
        {
            ["name"] = name,
            ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = secret.Name, ["key"] = secret.Key } },
        };
    }
}
