using System.Text;
using System.Text.Json.Nodes;
using Celeriac.Brokers;
using Celeriac.Hosting;
using Celeriac.Operator.Brokers;
using Celeriac.Operator.Model;
using Celeriac.Operator.WorkerConfiguration;
using Celeriac.Operator.Tests.Fake;
using Celeriac.Redis;
using Celeriac.Locks;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Operator.Tests;

/// <summary>The operator connects to a TaskQueue's broker with the configuration its workers get.</summary>
public sealed class BrokerConnectionTests
{
    private static TaskQueue Queue(string broker) => TestQueues.Parse($$"""
        apiVersion: celeriac.io/v1alpha1
        kind: TaskQueue
        metadata: { name: billing, namespace: shop }
        spec:
          image: registry.example.com/billing:1.0
          broker: {{broker}}
          queues: [ { name: bulk, priority: 1 }, { name: urgent, priority: 10 } ]
          pools: [ { name: general, queues: [bulk, urgent], resources: { limits: { memory: 1Gi } } } ]
        """);

    private static Func<SecretKeyRef, CancellationToken, Task<string?>> Secrets(params (string Name, string Key, string Value)[] items) =>
        (secret, _) => Task.FromResult(items.Where(i => i.Name == secret.Name && i.Key == secret.Key).Select(i => (string?)i.Value).FirstOrDefault());

    [Fact]
    public async Task Redis_password_comes_from_its_secret_into_the_connection_string()
    {
        var queue = Queue("{ redis: { address: 'redis.shop:6379', tls: true, keyPrefix: billing, passwordSecretRef: { name: redis, key: password } } }");
        var settings = await ClientSettings.ResolveAsync(queue.Spec, Secrets(("redis", "password", "pa$(x)ss")), CancellationToken.None);
        Assert.Equal(BrokerSelection.Redis, settings.BrokerType);
        // The Secret's value is used literally.
        Assert.Equal("redis.shop:6379,ssl=true,password=pa$(x)ss", settings.Redis!.ConnectionString);
        Assert.Equal("billing", settings.Redis.KeyPrefix);
        Assert.Equal([("urgent", 10), ("bulk", 1)], settings.Queues.Select(q => (q.Name, q.Priority)));
        Assert.Null(settings.Sqs);
        Assert.Null(settings.Store);
    }

    [Fact]
    public async Task Sqs_credentials_from_a_secret_become_explicit_broker_options()
    {
        var queue = Queue("{ sqs: { region: eu-west-1, queueUrlPrefix: 'https://sqs.eu-west-1.amazonaws.com/1/billing-', credentialsSecretRef: { name: aws } } }");
        var settings = await ClientSettings.ResolveAsync(queue.Spec,
            Secrets(("aws", "accessKeyId", "AKIDEXAMPLE"), ("aws", "secretAccessKey", "wJalr")), CancellationToken.None);
        Assert.Equal(BrokerSelection.Sqs, settings.BrokerType);
        Assert.Equal("eu-west-1", settings.Sqs!.Region);
        Assert.Equal("AKIDEXAMPLE", settings.Sqs.AccessKeyId);
        Assert.Equal("wJalr", settings.Sqs.SecretAccessKey);
    }

    [Fact]
    public async Task A_redis_store_next_to_sqs_gets_its_own_secret_backed_password_and_key_prefix()
    {
        var queue = Queue("""
            { sqs: { region: eu-west-1, queueUrlPrefix: 'https://sqs.eu-west-1.amazonaws.com/1/billing-' } }
              store: { redis: { address: 'store.shop:6379', tls: true, keyPrefix: billing-store, passwordSecretRef: { name: store, key: password } } }
            """);
        var settings = await ClientSettings.ResolveAsync(queue.Spec, Secrets(("store", "password", "s3cr$t")), CancellationToken.None);
        Assert.Equal(BrokerSelection.Sqs, settings.BrokerType);
        Assert.Equal("store.shop:6379,ssl=true,password=s3cr$t", settings.Store!.ConnectionString);
        Assert.Equal("billing-store", settings.Store.KeyPrefix);
        Assert.Null(settings.Redis);
    }

    [Fact]
    public async Task The_operators_connection_uses_the_taskqueues_redis_store()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var api = await FakeKubernetesApi.StartAsync();
        using var kubectl = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = api.Url.ToString() });
        await kubectl.CoreV1.CreateNamespacedSecretAsync(Secret("store", "url", redis.ConnectionString), "shop");
        // The broker is swapped for an in-process one; the store stays the TaskQueue's.
        await using var brokers = new TaskQueueBrokers(kubectl)
        {
            Overrides = new Dictionary<string, string?> { ["Celeriac:Broker:Type"] = "memory" },
        };
        var queue = Queue("""
            { sqs: { region: eu-west-1, queueUrlPrefix: 'https://sqs.eu-west-1.amazonaws.com/1/billing-' } }
              store: { redis: { connectionStringSecretRef: { name: store, key: url }, keyPrefix: billing } }
            """);

        var connection = await brokers.GetAsync(queue, CancellationToken.None);
        var locks = connection.Services.GetRequiredService<ITaskLockStore>();
        Assert.IsType<Celeriac.Redis.Locks.RedisTaskLockStore>(locks);
        Assert.Equal("operator", await locks.AcquireAsync("schedules/nightly", "operator", TimeSpan.FromMinutes(1), CancellationToken.None));

        await using var direct = new ServiceCollection().AddLogging()
            .AddCeleriac(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Celeriac:Store:Type"] = "redis",
                ["Celeriac:Store:Redis:ConnectionString"] = redis.ConnectionString,
                ["Celeriac:Store:Redis:KeyPrefix"] = "billing",
            }).Build(), c => c.UseInMemoryBroker().UseStoreFromConfiguration()).BuildServiceProvider();
        // A worker configured with the same store sees the operator's lock.
        Assert.Equal("operator", await direct.GetRequiredService<ITaskLockStore>().AcquireAsync("schedules/nightly", "worker", TimeSpan.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task The_operators_connection_reads_a_celery_queues_depth_from_kombus_lists_with_the_taskqueues_celery_settings()
    {
        await using var redis = await RedisServer.StartAsync(password: "s3cret");
        await using var api = await FakeKubernetesApi.StartAsync();
        using var kubectl = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = api.Url.ToString() });
        await kubectl.CoreV1.CreateNamespacedSecretAsync(Secret("redis", "password", "s3cret"), "shop");
        await using var brokers = new TaskQueueBrokers(kubectl);
        var queue = TestQueues.Parse($$"""
            apiVersion: celeriac.io/v1alpha1
            kind: TaskQueue
            metadata: { name: billing, namespace: shop }
            spec:
              image: registry.example.com/billing:1.0
              broker: { redis: { address: '127.0.0.1:{{redis.Port}}', passwordSecretRef: { name: redis, key: password } } }
              celery: { keyPrefix: 'k:' }
              queues: [ { name: py, protocol: celery }, { name: own } ]
              pools: [ { name: general, queues: [py, own], resources: { limits: { memory: 1Gi } } } ]
            """);
        // Three messages a Celery producer left in kombu's list of the queue (its global key prefix in front).
        using (var direct = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
            await direct.GetDatabase().ListLeftPushAsync("k:py", ["a", "b", "c"]);

        var connection = await brokers.GetAsync(queue, CancellationToken.None);
        Assert.Equal(3, (await connection.Broker.GetDepthAsync("py", CancellationToken.None)).Ready);
        Assert.Equal(0, (await connection.Broker.GetDepthAsync("own", CancellationToken.None)).Ready);
    }

    [Fact]
    public async Task A_missing_secret_key_is_a_clear_error()
    {
        var queue = Queue("{ redis: { address: 'redis:6379', passwordSecretRef: { name: redis, key: password } } }");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ClientSettings.ResolveAsync(queue.Spec, Secrets(), CancellationToken.None));
        Assert.Contains("Secret 'redis' has no key 'password'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_is_reused_until_its_secret_changes()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        using var kubectl = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = api.Url.ToString() });
        await kubectl.CoreV1.CreateNamespacedSecretAsync(Secret("redis", "url", "one"), "shop");
        await using var brokers = new TaskQueueBrokers(kubectl)
        {
            Overrides = new Dictionary<string, string?> { ["Celeriac:Broker:Type"] = "memory" },
        };
        var queue = Queue("{ redis: { connectionStringSecretRef: { name: redis, key: url } } }");

        var first = await brokers.GetAsync(queue, CancellationToken.None);
        Assert.Same(first, await brokers.GetAsync(queue, CancellationToken.None));
        await first.Broker.SendAsync([new OutgoingMessage("bulk", Encoding.UTF8.GetBytes("{}"))], CancellationToken.None);
        Assert.Equal(1, (await first.Broker.GetDepthAsync("bulk", CancellationToken.None)).Ready);

        var secret = await kubectl.CoreV1.ReadNamespacedSecretAsync("redis", "shop");
        secret.Data["url"] = Encoding.UTF8.GetBytes("two");
        await kubectl.CoreV1.ReplaceNamespacedSecretAsync(secret, "redis", "shop");
        var second = await brokers.GetAsync(queue, CancellationToken.None);
        Assert.NotSame(first, second);
        Assert.Equal(0, (await second.Broker.GetDepthAsync("bulk", CancellationToken.None)).Ready);
    }

    private static V1Secret Secret(string name, string key, string value) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "shop" },
        Data = new Dictionary<string, byte[]> { [key] = Encoding.UTF8.GetBytes(value) },
    };
}
