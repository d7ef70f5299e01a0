using Celeriac.Client;
using Celeriac.Operator.Brokers;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>The built-in autoscaler on a real redis-server, connected from the TaskQueue's spec alone (no overrides), as the workers are.</summary>
public sealed class RedisAutoscalingTests : OperatorTestBase
{
    [Fact]
    public async Task The_pool_follows_the_depth_of_a_redis_broker_counting_pending_entries()
    {
        await using var redis = await RedisServer.StartAsync();
        await StartOperatorAsync();
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        var created = await CreateAsync($$"""
            apiVersion: celeriac.io/v1alpha1
            kind: TaskQueue
            metadata: { name: cache, namespace: shop }
            spec:
              image: registry.example.com/cache:1.0
              broker: { redis: { address: '{{redis.ConnectionString}}', keyPrefix: {{prefix}} } }
              queues: [ { name: high, priority: 9 }, { name: low } ]
              pools:
                - name: general
                  queues: [high, low]
                  resources: { limits: { memory: 256Mi } }
                  autoscaling: { minReplicas: 1, maxReplicas: 6, targetDepthPerReplica: 250, pollingInterval: 200ms, scaleDownStabilization: 1s }
            """);
        await Eventually.Until(() => ConditionStatus("cache", "BrokerReachable") == "True", "the depth is read from Redis");

        await using var producerBrokers = new TaskQueueBrokers(Kubectl);
        var producer = await producerBrokers.GetAsync(ModelJson.ToTaskQueue(created), CancellationToken.None);
        await producer.Client.EnqueueManyAsync("demo.noop", Items(600), new EnqueueOptions { Queue = "high" });
        await producer.Client.EnqueueManyAsync("demo.noop", Items(400), new EnqueueOptions { Queue = "low" });
        // 1,000 messages on two queues at 250 per replica.
        await Eventually.Until(() => Replicas() == 4, "the pool scales to 4", TimeSpan.FromSeconds(60));

        // Received but not acknowledged: still counted (in flight), so the pool holds.
        var leased = await producer.Broker.ReceiveAsync(["high", "low"], 500, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.NotEmpty(leased);
        // A window of several polling intervals in which the pool must not scale down.
        await Task.Delay(2500);
        Assert.Equal(4, Replicas());

        await producer.Broker.AckAsync(leased, CancellationToken.None);
        while (true)
        {
            var batch = await producer.Broker.ReceiveAsync(["high", "low"], 200, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(200), CancellationToken.None);
            if (batch.Count == 0) break;
            await producer.Broker.AckAsync(batch, CancellationToken.None);
        }
        await Eventually.Until(() => Replicas() == 1, "the drained pool returns to minReplicas", TimeSpan.FromSeconds(60));
    }

    private int Replicas() => Deployment("cache-general")?["spec"]?["replicas"]?.GetValue<int>() ?? -1;

    private static async IAsyncEnumerable<object> Items(int count)
    {
        for (var i = 0; i < count; i++) yield return new { milliseconds = 0, i };
        await Task.CompletedTask;
    }
}
