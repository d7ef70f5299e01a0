using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Brokers;
using Celeriac.Celery;
using Celeriac.Celery.Redis;
using Celeriac.Celery.Sqs;
using Celeriac.Client;
using Celeriac.Hosting;
using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;
using Celeriac.Operator.Tests.Fake;
using Celeriac.Operator.WorkerConfiguration;
using Celeriac.Operator.Yaml;
using Celeriac.Redis;
using Celeriac.Routing;
using Celeriac.ServiceBus;
using Celeriac.Sqs;
using Celeriac.Envelope;
using Celeriac.Tasks;
using Celeriac.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Operator.Tests;

/// <summary>
/// The operator and the worker host meet through the worker's own options. For each TaskQueue: every <c>Celeriac__*</c>
/// variable of a rendered Deployment binds to a worker option (unknown keys are errors), and what a pod ends up with
/// (the env as the kubelet resolves it, read by the worker host's own registration) equals, option by option, the
/// <see cref="ClientSettings"/> the operator configures its own connection with. A renamed option, a key written
/// wrongly or a setting that reaches one side and not the other fails here.
/// </summary>
public sealed class WorkerConfigurationContractTests
{
    private static readonly Dictionary<(string, string), string> Secrets = new()
    {
        [("aws", "accessKeyId")] = "AKIDEXAMPLE",
        [("aws", "secretAccessKey")] = "wJalr$(x)",
        [("redis", "password")] = "pa$$(word)",
        [("redis", "url")] = "redis.shop:6379,password=s3cret",
        [("store", "password")] = "st$re",
        [("bus", "connection-string")] = "Endpoint=sb://bus.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v",
        // The examples' Secrets.
        [("redis", "connectionString")] = "redis.default:6379,password=ex$mple",
        [("redis-auth", "password")] = "pa$(ss)",
        [("billing-store", "auth-token")] = "t0$$ken",
        [("results", "url")] = "results.shop:6379,defaultDatabase=2,password=r$sults",
    };

    public static TheoryData<string> Cases() =>
    [
        "taskqueue-minimal.yaml", "taskqueue-redis.yaml", "taskqueue-sqs.yaml", "taskqueue-servicebus.yaml",
        "taskqueue-celery.yaml",
        "redis with a password and dollars", "redis by connection string", "sqs with keys and a store", "service bus by connection string",
        "celery on redis with kombu's settings", "celery on sqs with a result backend",
    ];

    private static TaskQueue Queue(string name)
    {
        if (name.EndsWith(".yaml", StringComparison.Ordinal))
            return ModelJson.ToTaskQueue(YamlJson.ParseSingle(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", name))));
        var broker = name switch
        {
            "redis with a password and dollars" => """
                { redis: { address: 'redis$$1.shop:6379', tls: true, keyPrefix: shop, passwordSecretRef: { name: redis, key: password } } }
                """,
            "redis by connection string" => "{ redis: { connectionStringSecretRef: { name: redis, key: url } } }",
            "sqs with keys and a store" => """
                { sqs: { region: eu-west-1, queueUrlPrefix: 'https://sqs.eu-west-1.amazonaws.com/1/$(team)-', endpoint: 'http://127.0.0.1:9324', credentialsSecretRef: { name: aws } } }
                  store: { redis: { address: 'store.shop:6379', tls: true, keyPrefix: shop-store, passwordSecretRef: { name: store, key: password } } }
                """,
            "celery on redis with kombu's settings" => """
                { redis: { address: 'redis.shop:6379', passwordSecretRef: { name: redis, key: password } } }
                  celery: { keyPrefix: 'k:', visibilityTimeout: 2h, defaultQueue: py, resultBackend: { connectionStringSecretRef: { name: results, key: url } } }
                """,
            "celery on sqs with a result backend" => """
                { sqs: { region: eu-west-1, queueUrlPrefix: 'https://sqs.eu-west-1.amazonaws.com/1/billing-', credentialsSecretRef: { name: aws } } }
                  celery: { queueNamePrefix: 'prod.', resultBackend: { address: 'results.shop:6379', database: 1, tls: true, passwordSecretRef: { name: store, key: password } } }
                """,
            _ => "{ serviceBus: { connectionStringSecretRef: { name: bus, key: connection-string } } }",
        };
        var protocol = name.StartsWith("celery", StringComparison.Ordinal) ? ", protocol: celery" : "";
        return TestQueues.Parse($$"""
            apiVersion: celeriac.io/v1alpha1
            kind: TaskQueue
            metadata: { name: billing, namespace: shop }
            spec:
              image: registry.example.com/billing:1.0
              broker: {{broker.Trim()}}
              queues: [ { name: bulk, priority: 1{{protocol}} }, { name: urgent, priority: 10 } ]
              pools: [ { name: general, queues: [bulk, urgent], concurrency: 3, resources: { limits: { memory: 1Gi } } } ]
              routes: [ { pattern: 'demo.*', queue: urgent }, { pattern: reports.build, queue: bulk } ]
              tasks: [ { name: demo.cpu, maxRetries: 5, softTimeLimit: 20s, timeLimit: 30s, expires: 1h, rateLimit: 70/s } ]
            """);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_rendered_worker_variable_binds_to_a_worker_option(string name)
    {
        var queue = Queue(name);
        foreach (var pool in queue.Spec.Pools)
        {
            var configuration = Pod(queue, pool).Configuration.GetSection(ConfigurationKeys.Root);
            Assert.Subset(new HashSet<string> { "Broker", "Store", "Queues", "Routes", "Worker", "Tasks", "Celery" }, configuration.GetChildren().Select(c => c.Key).ToHashSet());
            BindStrictly(configuration.GetSection(ConfigurationKeys.WorkerSection), new WorkerOptions(), ConfigurationKeys.TaskAssembliesSetting);
            configuration.GetSection(nameof(CeleriacOptions.Queues)).Get<List<QueueDefinition>>(o => o.ErrorOnUnknownConfiguration = true);
            configuration.GetSection(nameof(CeleriacOptions.Routes)).Get<List<TaskRoute>>(o => o.ErrorOnUnknownConfiguration = true);
            foreach (var task in configuration.GetSection(ConfigurationKeys.TasksSection).GetChildren()) BindStrictly(task, new TaskOptions());
            BindStrictly(configuration.GetSection(ConfigurationKeys.RedisBrokerSection), new RedisBrokerOptions());
            BindStrictly(configuration.GetSection(ConfigurationKeys.SqsSection), new SqsBrokerOptions());
            BindStrictly(configuration.GetSection(ConfigurationKeys.ServiceBusSection), new ServiceBusBrokerOptions());
            BindStrictly(configuration.GetSection(ConfigurationKeys.RedisStoreSection), new RedisStoreOptions());
            BindStrictly(configuration.GetSection(ConfigurationKeys.CelerySection), new CeleryOptions(), "Redis", "Sqs", "ResultBackend");
            BindStrictly(configuration.GetSection(ConfigurationKeys.CeleryRedisSection), new CeleryRedisOptions());
            BindStrictly(configuration.GetSection(ConfigurationKeys.CelerySqsSection), new CelerySqsOptions());
            BindStrictly(configuration.GetSection(ConfigurationKeys.CeleryResultBackendSection), new CeleryResultBackendOptions());
            Assert.Equal(queue.Spec.Queues.Any(q => q.IsCelery()), configuration.GetSection(ConfigurationKeys.CelerySection).Exists());
            Assert.Subset(new HashSet<string> { "Type", "Redis", "Sqs", "ServiceBus" }, configuration.GetSection("Broker").GetChildren().Select(c => c.Key).ToHashSet());
            Assert.Subset(new HashSet<string> { "Type", "Redis" }, configuration.GetSection("Store").GetChildren().Select(c => c.Key).ToHashSet());
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_worker_pod_gets_exactly_the_settings_the_operators_connection_uses(string name)
    {
        var queue = Queue(name);
        var expected = await ClientSettings.ResolveAsync(queue.Spec, (secret, _) => Task.FromResult<string?>(Secrets[(secret.Name, secret.Key)]), CancellationToken.None);
        foreach (var pool in queue.Spec.Pools)
        {
            var (configuration, environment) = Pod(queue, pool);
            var services = new ServiceCollection().AddLogging();
            services.AddCeleriac(configuration, c => c.UseBrokerFromConfiguration().AddWorker());
            await using var worker = services.BuildServiceProvider();

            Assert.Equal(expected.BrokerType, configuration[ConfigurationKeys.Root + ":" + ConfigurationKeys.BrokerType]?.ToLowerInvariant());
            Same(expected.Queues, worker.GetRequiredService<IOptions<CeleriacOptions>>().Value.Queues);
            Same(expected.Routes, worker.GetRequiredService<IOptions<CeleriacOptions>>().Value.Routes);
            Same(expected.Redis, expected.Redis is null ? null : worker.GetRequiredService<IOptions<RedisBrokerOptions>>().Value);
            Same(expected.ServiceBus, expected.ServiceBus is null ? null : worker.GetRequiredService<IOptions<ServiceBusBrokerOptions>>().Value);
            Same(expected.Store, expected.Store is null ? null : worker.GetRequiredService<IOptions<RedisStoreOptions>>().Value);
            Same(expected.Celery?.Options, expected.Celery is null ? null : worker.GetRequiredService<IOptions<CeleryOptions>>().Value);
            Same(expected.Celery?.Redis, expected.Celery?.Redis is null ? null : worker.GetRequiredService<IOptions<CeleryRedisOptions>>().Value);
            Same(expected.Celery?.Sqs, expected.Celery?.Sqs is null ? null : worker.GetRequiredService<IOptions<CelerySqsOptions>>().Value);
            Same(expected.Celery?.ResultBackend, expected.Celery?.ResultBackend is null ? null : worker.GetRequiredService<IOptions<CeleryResultBackendOptions>>().Value);
            var registered = worker.GetRequiredService<IServiceProviderIsService>();
            Assert.Equal(expected.Celery?.Redis is not null, registered.IsService(typeof(KombuRedisTransport)));
            Assert.Equal(expected.Celery?.Sqs is not null, registered.IsService(typeof(KombuSqsTransport)));
            Assert.Equal(expected.Store is null, configuration[ConfigurationKeys.Root + ":" + ConfigurationKeys.StoreType] is null);
            if (expected.Sqs is not null)
            {
                var sqs = worker.GetRequiredService<IOptions<SqsBrokerOptions>>().Value;
                // In the pod, the AWS SDK reads the keys from its own variables.
                Assert.Null(sqs.AccessKeyId);
                sqs.AccessKeyId = environment.GetValueOrDefault(ClientSettings.AwsAccessKeyIdVariable);
                sqs.SecretAccessKey = environment.GetValueOrDefault(ClientSettings.AwsSecretAccessKeyVariable);
                Same(expected.Sqs, sqs);
            }
            else Assert.False(environment.ContainsKey(ClientSettings.AwsAccessKeyIdVariable));

            var options = worker.GetRequiredService<IOptions<WorkerOptions>>().Value;
            Assert.Equal(queue.Spec.QueuesOf(pool), options.Queues);
            Assert.Equal(pool.Concurrency, options.Concurrency);
            Assert.Equal(KubeDuration.Parse(pool.ShutdownGrace), options.ShutdownGrace);
            Assert.Equal(TaskQueueRenderer.MemoryCeilingMb(pool), options.MemoryCeilingMb);
        }
    }

    [Fact]
    public void Task_assemblies_and_task_policies_reach_the_worker_hosts_own_registration()
    {
        var queue = Queue("redis by connection string");
        queue.Spec.TaskAssemblies = [Path.Combine(AppContext.BaseDirectory, "Celeriac.Examples.dll")];
        var (configuration, _) = Pod(queue, queue.Spec.Pools[0]);
        var services = new ServiceCollection().AddLogging();
        services.AddCeleriac(configuration, c => c.UseBrokerFromConfiguration().AddTaskAssembliesFromConfiguration());
        using var worker = services.BuildServiceProvider();

        Assert.True(worker.GetRequiredService<TaskRegistry>().TryGet("demo.cpu", out var task), "the task assembly was not loaded");
        Assert.Equal(5, task.Options.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(20), task.Options.SoftTimeLimit);
        Assert.Equal(TimeSpan.FromSeconds(30), task.Options.HardTimeLimit);
        Assert.Equal(TimeSpan.FromHours(1), task.Options.Expires);
        Assert.Equal("70/s", task.Options.RateLimit);
    }

    /// <summary>A TaskQueue on <paramref name="redis"/> whose only pool serves urgent and that routes reports.* to bulk.</summary>
    private static TaskQueue RoutedQueue(RedisServer redis) => TestQueues.Parse($$"""
            apiVersion: celeriac.io/v1alpha1
            kind: TaskQueue
            metadata: { name: billing, namespace: shop }
            spec:
              image: registry.example.com/billing:1.0
              broker: { redis: { address: '{{redis.ConnectionString}}', keyPrefix: routes } }
              queues: [ { name: bulk, priority: 1 }, { name: urgent, priority: 10 } ]
              pools: [ { name: general, queues: [urgent], resources: { limits: { memory: 1Gi } } } ]
              routes: [ { pattern: 'reports.*', queue: bulk } ]
            """);

    [Fact]
    public async Task A_worker_configured_by_its_rendered_environment_sends_a_task_enqueued_by_name_to_its_routes_queue()
    {
        await using var redis = await RedisServer.StartAsync();
        var queue = RoutedQueue(redis);
        var (configuration, _) = Pod(queue, queue.Spec.Pools[0]);
        var services = new ServiceCollection().AddLogging();
        services.AddCeleriac(configuration, c => c.UseBrokerFromConfiguration().AddWorker());
        await using var worker = services.BuildServiceProvider();

        // The worker has no task of that name: only the route says where it goes.
        var id = await worker.GetRequiredService<ITaskClient>().EnqueueAsync("reports.build", new { day = "2026-12-05" });

        var broker = worker.GetRequiredService<IBroker>();
        Assert.Equal(1, (await broker.GetDepthAsync("bulk", CancellationToken.None)).Ready);
        Assert.Equal(0, (await broker.GetDepthAsync("urgent", CancellationToken.None)).Total);
        Assert.Equal(0, (await broker.GetDepthAsync("default", CancellationToken.None)).Total);
        var received = await broker.ReceiveAsync(["bulk"], 1, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Equal(id, EnvelopeSerializer.Deserialize(received.Single().Body.Span).Id);
    }

    [Fact]
    public async Task A_worker_process_started_with_the_rendered_environment_sends_its_own_by_name_enqueues_by_the_routes()
    {
        await using var redis = await RedisServer.StartAsync();
        var queue = RoutedQueue(redis);
        var (_, environment) = Pod(queue, queue.Spec.Pools[0]);
        // The worker enqueues by name itself through its scheduler: a schedule that names a task it does not have, and no queue.
        environment["Celeriac__Schedules__report__Task"] = "reports.build";
        environment["Celeriac__Schedules__report__Interval"] = "00:00:01";
        await using var worker = LocalWorkerProcess.Start(["--urls", "http://127.0.0.1:0"], environment);

        using var broker = new RedisBroker(new RedisBrokerOptions { ConnectionString = redis.ConnectionString, KeyPrefix = "routes" });
        var arrived = await Eventually.Reached(async () => (await broker.GetDepthAsync("bulk", CancellationToken.None)).Ready > 0, TimeSpan.FromSeconds(60));
        Assert.True(arrived, "nothing arrived on bulk:\n" + worker.Output);
        Assert.Equal(0, (await broker.GetDepthAsync("urgent", CancellationToken.None)).Total);
        Assert.Equal(0, (await broker.GetDepthAsync("default", CancellationToken.None)).Total);
        var received = Assert.Single(await broker.ReceiveAsync(["bulk"], 1, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal("reports.build", EnvelopeSerializer.Deserialize(received.Body.Span).Task);
    }

    [Fact]
    public void Secrets_reach_pods_through_value_from_and_the_variables_that_embed_them()
    {
        var queue = Queue("redis with a password and dollars");
        var env = Kubelet.Env(TaskQueueRenderer.Deployment(queue, queue.Spec.Pools[0], new RenderOptions()));
        var names = env.Select(e => e!["name"]!.GetValue<string>()).ToList();
        var password = names.IndexOf(ClientSettings.RedisPasswordVariable);
        var connection = names.IndexOf("Celeriac__Broker__Redis__ConnectionString");
        Assert.Equal("password", env[password]!["valueFrom"]!["secretKeyRef"]!["key"]!.GetValue<string>());
        // Defined before the variable that refers to it; the address's own $ escaped, as Kubernetes would otherwise expand it.
        Assert.True(password < connection);
        Assert.Equal("redis$$$$1.shop:6379,ssl=true,password=$(CELERIAC_REDIS_PASSWORD)", env[connection]!["value"]!.GetValue<string>());
        Assert.All(env, e => Assert.DoesNotContain('\u0001', e!["value"]?.GetValue<string>() ?? ""));
    }

    /// <summary>What a pod of the pool sees: its environment, and that as the worker host's configuration.</summary>
    private static (IConfiguration Configuration, Dictionary<string, string> Environment) Pod(TaskQueue queue, PoolSpec pool)
    {
        var deployment = TaskQueueRenderer.Deployment(queue, pool, new RenderOptions());
        var environment = Kubelet.Environment(Kubelet.Env(deployment), (secret, key) => Secrets[(secret, key)]);
        return (Kubelet.Configuration(environment.Where(e => e.Key.StartsWith(ConfigurationKeys.Root + "__", StringComparison.Ordinal)).ToDictionary()), environment);
    }

    private static void Same<T>(T? expected, T? actual) =>
        Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(actual));

    /// <summary>Binds strictly, leaving out keys that another part of the host reads (task assemblies, the Celery transports' sections).</summary>
    private static void BindStrictly(IConfigurationSection section, object options, params string[] ignored)
    {
        var values = section.AsEnumerable(makePathsRelative: true)
            .Where(kv => kv.Value is not null && !ignored.Any(i => kv.Key.StartsWith(i, StringComparison.Ordinal)))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().Bind(options, o => o.ErrorOnUnknownConfiguration = true);
    }
}
