using System.Text;
using System.Text.Json.Nodes;
using Celeriac.Operator.Kubernetes;
using Celeriac.Testing;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>A broker that cannot be reached: replicas are kept (even with minReplicas 0), BrokerReachable=False carries the error, one Warning Event.</summary>
public sealed class BrokerUnreachableTests : OperatorTestBase
{
    [Fact]
    public async Task The_pool_keeps_its_replicas_and_the_status_says_why()
    {
        var port = LoopbackPort.Free(); // nothing listens there
        await Kubectl.CreateAsync(ResourceTypes.Secrets, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "aws", ["namespace"] = "shop" },
            ["data"] = new JsonObject
            {
                ["accessKeyId"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("test")),
                ["secretAccessKey"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("test")),
            },
        }, CancellationToken.None);
        await StartOperatorAsync();
        await CreateAsync($$"""
            apiVersion: celeriac.io/v1alpha1
            kind: TaskQueue
            metadata: { name: billing, namespace: shop }
            spec:
              image: registry.example.com/billing:1.0
              broker:
                sqs: { region: us-east-1, queueUrlPrefix: "http://127.0.0.1:{{port}}/123456789012/billing-", endpoint: "http://127.0.0.1:{{port}}", credentialsSecretRef: { name: aws } }
              queues: [ { name: bulk } ]
              pools:
                - name: general
                  queues: [bulk]
                  resources: { limits: { memory: 256Mi } }
                  autoscaling: { minReplicas: 0, maxReplicas: 5, pollingInterval: 200ms, scaleDownStabilization: 1s }
            """);

        await Eventually.HoldsAsync(() => ConditionStatus("billing", "BrokerReachable") == "False", "BrokerReachable turns False", TimeSpan.FromSeconds(60));
        var condition = Condition("billing", "BrokerReachable")!;
        Assert.Equal("BrokerUnreachable", condition["reason"]!.GetValue<string>());
        Assert.Contains("could not be read", condition["message"]!.GetValue<string>(), StringComparison.Ordinal);

        // Far longer than the window: still the replicas it had, no scale at all.
        await Task.Delay(3000);
        Assert.Equal(1, Deployment("billing-general")!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(0, Api.ScaleWrites);
        var pool = TaskQueue("billing")!["status"]!["pools"]![0]!;
        Assert.Equal(1, pool["desiredReplicas"]!.GetValue<int>());
        Assert.Null(pool["queueDepth"]);
        var warnings = Api.List("v1", "events", "shop").Where(e => e["reason"]!.GetValue<string>() == "BrokerUnreachable").ToList();
        Assert.Single(warnings);
        Assert.Equal("Warning", warnings[0]["type"]!.GetValue<string>());
    }
}
