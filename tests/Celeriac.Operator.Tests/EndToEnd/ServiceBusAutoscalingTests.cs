using System.Text;
using System.Text.Json.Nodes;
using Celeriac.Client;
using Celeriac.Operator.Brokers;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Model;
using Celeriac.ServiceBus.Peer;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>
/// The built-in autoscaler on Service Bus: the operator reads the queues' runtime counts through Azure.Messaging.ServiceBus
/// from the in-process AMQP peer (its management endpoint), the connection string from a Secret as the workers get it.
/// </summary>
public sealed class ServiceBusAutoscalingTests : OperatorTestBase
{
    [Fact]
    public async Task The_pool_follows_the_depth_of_service_bus_queues()
    {
        await using var bus = await ServiceBusPeer.StartAsync();
        bus.CreateQueue("reports");
        bus.CreateQueue("exports");
        await CreateSecretAsync("sb", new Dictionary<string, string> { ["connection"] = bus.ConnectionString });
        await StartOperatorAsync();
        var created = await CreateAsync("""
            apiVersion: celeriac.io/v1alpha1
            kind: TaskQueue
            metadata: { name: reports, namespace: shop }
            spec:
              image: registry.example.com/reports:1.0
              broker: { serviceBus: { connectionStringSecretRef: { name: sb, key: connection } } }
              queues: [ { name: reports, priority: 5 }, { name: exports, priority: 1 } ]
              pools:
                - name: general
                  queues: [reports, exports]
                  resources: { limits: { memory: 256Mi } }
                  autoscaling: { minReplicas: 0, maxReplicas: 8, targetDepthPerReplica: 300, pollingInterval: 200ms, scaleDownStabilization: 1s }
            """);
        await Eventually.Until(() => ConditionStatus("reports", "BrokerReachable") == "True", "the depth is read from Service Bus");
        await Eventually.Until(() => Replicas() == 0, "the idle pool scales to zero");

        await using var producerBrokers = new TaskQueueBrokers(Kubectl);
        var producer = await producerBrokers.GetAsync(ModelJson.ToTaskQueue(created), CancellationToken.None);
        await producer.Client.EnqueueManyAsync("demo.noop", Items(700), new EnqueueOptions { Queue = "reports" });
        await producer.Client.EnqueueManyAsync("demo.noop", Items(500), new EnqueueOptions { Queue = "exports" });
        // 1,200 messages at 300 per replica.
        await Eventually.Until(() => Replicas() == 4, "the pool scales to 4", TimeSpan.FromSeconds(60));

        while (true)
        {
            var batch = await producer.Broker.ReceiveAsync(["reports", "exports"], 50, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(200), CancellationToken.None);
            if (batch.Count == 0) break;
            await producer.Broker.AckAsync(batch, CancellationToken.None);
        }
        await Eventually.Until(() => Replicas() == 0, "the drained pool returns to zero", TimeSpan.FromSeconds(60));
    }

    private int Replicas() => Deployment("reports-general")?["spec"]?["replicas"]?.GetValue<int>() ?? -1;

    private static async IAsyncEnumerable<object> Items(int count)
    {
        for (var i = 0; i < count; i++) yield return new { milliseconds = 0, i };
        await Task.CompletedTask;
    }
}
