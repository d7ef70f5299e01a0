using System.Text.Json.Nodes;
using Celeriac.Celery;
using Celeriac.Celery.Redis;
using Celeriac.Celery.Sqs;
using Celeriac.Hosting;
using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;
using Celeriac.Operator.Yaml;
using Celeriac.Redis;
using Celeriac.ServiceBus;
using Celeriac.Sqs;
using Celeriac.Tasks;
using Celeriac.Worker;
using Microsoft.Extensions.Configuration;

namespace Celeriac.Operator.Tests;

/// <summary>
/// The operator and the worker host meet only through environment variables. Every <c>Celeriac__*</c>
/// variable a rendered Deployment sets must bind to a property of the worker's own options classes
/// (unknown keys are errors here), so that a renamed option cannot silently stop reaching the workers.
/// </summary>
public sealed class WorkerConfigurationContractTests
{
    private static readonly BinderOptions Strict = new() { ErrorOnUnknownConfiguration = true };

    public static TheoryData<string> Examples() => ["taskqueue-minimal.yaml", "taskqueue-redis.yaml", "taskqueue-sqs.yaml", "taskqueue-servicebus.yaml", "taskqueue-celery.yaml"];

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_rendered_worker_variable_binds_to_a_worker_option(string example)
    {
        var queue = ModelJson.ToTaskQueue(YamlJson.ParseSingle(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", example))));
        // Optional fields the examples leave out must reach the worker too.
        if (queue.Spec.Broker.Sqs is { } sqsSpec) sqsSpec.Endpoint ??= "http://127.0.0.1:9324";
        if (queue.Spec.Broker.Redis is { } redisSpec) redisSpec.KeyPrefix ??= "shop";
        if (queue.Spec.Broker.ServiceBus is { } busSpec) busSpec.ConnectionStringSecretRef ??= new SecretKeyRef { Name = "bus", Key = "connection-string" };
        if (queue.Spec.Store?.Redis is { } storeSpec) storeSpec.KeyPrefix ??= "shop-store";
        if (queue.Spec.Celery is { } celerySpec)
        {
            celerySpec.KeyPrefix ??= "kombu:";
            celerySpec.QueueNamePrefix ??= "prod-";
            celerySpec.DefaultQueue ??= "celery";
        }
        foreach (var pool in queue.Spec.Pools)
        {
            var deployment = TaskQueueRenderer.Deployment(queue, pool, new RenderOptions());
            var configuration = ToConfiguration(deployment).GetSection("Celeriac");
            var sections = configuration.GetChildren().Select(c => c.Key).ToList();
            Assert.Subset(new HashSet<string> { "Broker", "Store", "Queues", "Worker", "Tasks", "Otlp", "Celery" }, sections.ToHashSet());

            var worker = configuration.GetSection("Worker");
            var workerOptions = new WorkerOptions();
            BindExcept(worker, workerOptions, "TaskAssemblies");
            Assert.Equal(pool.Queues.Order(StringComparer.Ordinal), workerOptions.Queues.Order(StringComparer.Ordinal));
            Assert.True(workerOptions.Concurrency > 0);

            var queues = configuration.GetSection("Queues").Get<List<QueueDefinition>>(o => o.ErrorOnUnknownConfiguration = true) ?? [];
            Assert.Equal(queue.Spec.Queues.Select(q => q.Name), queues.Select(q => q.Name));
            Assert.Equal(queue.Spec.Queues.Where(q => q.IsCelery()).Select(q => q.Name), queues.Where(q => q.Protocol == QueueProtocols.Celery).Select(q => q.Name));

            var celery = configuration.GetSection("Celery");
            if (queue.Spec.Celery is { } celerySettings)
            {
                var interop = new CeleryOptions();
                BindExcept(celery, interop, "Redis", "Sqs", "ResultBackend");
                Assert.Equal(celerySettings.DefaultQueue, interop.DefaultQueue);
                var redisTransport = new CeleryRedisOptions();
                celery.GetSection("Redis").Bind(redisTransport, o => o.ErrorOnUnknownConfiguration = true);
                Assert.Equal((celerySettings.KeyPrefix, TimeSpan.FromHours(1)), (redisTransport.KeyPrefix, redisTransport.VisibilityTimeout));
                var sqsTransport = new CelerySqsOptions();
                celery.GetSection("Sqs").Bind(sqsTransport, o => o.ErrorOnUnknownConfiguration = true);
                Assert.Equal(celerySettings.QueueNamePrefix, sqsTransport.QueueNamePrefix);
                var results = new CeleryResultBackendOptions();
                celery.GetSection("ResultBackend").Bind(results, o => o.ErrorOnUnknownConfiguration = true);
                Assert.Contains(",defaultDatabase=1,password=", results.ConnectionString, StringComparison.Ordinal);
            }
            else
            {
                Assert.False(celery.Exists());
            }

            foreach (var task in configuration.GetSection("Tasks").GetChildren())
                task.Bind(new TaskOptions(), o => o.ErrorOnUnknownConfiguration = true);

            var store = configuration.GetSection("Store");
            switch (store["Type"]?.ToLowerInvariant())
            {
                case StoreSelection.Redis:
                    var storeOptions = new RedisStoreOptions();
                    store.GetSection("Redis").Bind(storeOptions, o => o.ErrorOnUnknownConfiguration = true);
                    Assert.Equal(queue.Spec.Store!.Redis!.KeyPrefix, storeOptions.KeyPrefix);
                    Assert.False(string.IsNullOrEmpty(storeOptions.ConnectionString));
                    Assert.Equal(["Redis", "Type"], store.GetChildren().Select(c => c.Key).Order(StringComparer.Ordinal));
                    break;
                case null:
                    Assert.Null(queue.Spec.Store);
                    break;
                default:
                    Assert.Fail($"{example} renders store type '{store["Type"]}', which the worker host does not know");
                    break;
            }

            var broker = configuration.GetSection("Broker");
            switch (broker["Type"]?.ToLowerInvariant())
            {
                case BrokerSelection.Redis:
                    broker.GetSection("Redis").Bind(new RedisBrokerOptions(), o => o.ErrorOnUnknownConfiguration = true);
                    break;
                case BrokerSelection.Sqs:
                    var sqs = new SqsBrokerOptions();
                    broker.GetSection("Sqs").Bind(sqs, o => o.ErrorOnUnknownConfiguration = true);
                    Assert.False(string.IsNullOrEmpty(sqs.QueueUrlPrefix));
                    Assert.Equal("http://127.0.0.1:9324", sqs.Endpoint);
                    break;
                case BrokerSelection.ServiceBus:
                    var bus = new ServiceBusBrokerOptions();
                    broker.GetSection("ServiceBus").Bind(bus, o => o.ErrorOnUnknownConfiguration = true);
                    Assert.Equal(queue.Spec.Broker.ServiceBus!.FullyQualifiedNamespace, bus.FullyQualifiedNamespace);
                    Assert.Equal("from-secret", bus.ConnectionString);
                    break;
                case BrokerSelection.Sqlite or null:
                    break;
                default:
                    Assert.Fail($"{example} renders broker type '{broker["Type"]}', which the worker host does not know");
                    break;
            }
        }
    }

    /// <summary>Binds strictly, leaving out keys that another part of the host reads (task assemblies, the Celery transports' sections).</summary>
    private static void BindExcept(IConfigurationSection section, object options, params string[] ignored)
    {
        var values = section.AsEnumerable(makePathsRelative: true)
            .Where(kv => kv.Value is not null && !ignored.Any(i => kv.Key.StartsWith(i, StringComparison.Ordinal)))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().Bind(options, o => o.ErrorOnUnknownConfiguration = Strict.ErrorOnUnknownConfiguration);
    }

    /// <summary>The container's env as configuration, the way the worker host reads it (__ is the section separator).</summary>
    private static IConfiguration ToConfiguration(JsonObject deployment)
    {
        var env = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();
        var values = env
            .Select(e => (Name: e!["name"]!.GetValue<string>(), Value: e["value"]?.GetValue<string>() ?? "from-secret"))
            .Where(e => e.Name.StartsWith("Celeriac__", StringComparison.Ordinal))
            .ToDictionary(e => e.Name.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value);
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
