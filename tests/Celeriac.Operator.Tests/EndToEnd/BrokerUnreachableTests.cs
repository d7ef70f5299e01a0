using System.Text;
using System.Text.Json.Nodes;
using Celeriac.Operator.Kubernetes;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>A broker that cannot be reached: replicas are kept (even with minReplicas 0), BrokerReachable=False carries the error, one Warning Event.</summary>
public sealed class BrokerUnreachableTests : OperatorTestBase
{
    private Task CreateSecretAsync() => CreateSecretAsync("aws", new Dictionary<string, string> { ["accessKeyId"] = "test", ["secretAccessKey"] = "test" });

    private static string Queue(int port) => $$"""
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
        """;

    [Fact]
    public async Task A_broker_that_accepts_connections_but_never_answers_is_unreachable_after_the_read_timeout()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<System.Net.Sockets.TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true) held.Add(await silent.AcceptTcpClientAsync(stop.Token));
            }
            catch (OperationCanceledException)
            {
            }
        });
        await CreateSecretAsync();
        await StartOperatorAsync();
        await CreateAsync(Queue(((System.Net.IPEndPoint)silent.LocalEndpoint).Port));

        await Eventually.Until(() => ConditionStatus("billing", "BrokerReachable") == "False", "BrokerReachable turns False", TimeSpan.FromSeconds(90));
        Assert.Contains("no answer within 10 s", Condition("billing", "BrokerReachable")!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, Deployment("billing-general")!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(0, Api.ScaleWrites);
        await stop.CancelAsync();
        await accepting;
        foreach (var client in held) client.Dispose();
    }

    [Fact]
    public async Task The_pool_keeps_its_replicas_and_the_status_says_why()
    {
        await CreateSecretAsync();
        await StartOperatorAsync();
        await CreateAsync(Queue(LoopbackPort.Free())); // nothing listens there

        await Eventually.Until(() => ConditionStatus("billing", "BrokerReachable") == "False", "BrokerReachable turns False", TimeSpan.FromSeconds(60));
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
