using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Operator.Brokers;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Model;
using k8s;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>
/// SQLite for local runs: the CRD has no sqlite broker (pods cannot share one file), but an operator run locally can
/// point a TaskQueue's connection at a SQLite file (TaskQueueBrokers.Overrides) and the same depth source scales on it.
/// </summary>
public sealed class SqliteAutoscalingTests : OperatorTestBase, IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("celeriac-as-").FullName;

    private Dictionary<string, string?> Sqlite => new()
    {
        ["Celeriac:Broker:Type"] = "sqlite",
        ["Celeriac:Broker:Sqlite:Path"] = Path.Combine(directory, "celeriac.db"),
    };

    private const string Queue = """
        apiVersion: celeriac.io/v1alpha1
        kind: TaskQueue
        metadata: { name: local, namespace: shop }
        spec:
          image: registry.example.com/local:1.0
          broker: { redis: { address: 'unused:6379' } }
          queues: [ { name: default } ]
          pools:
            - name: general
              queues: [default]
              resources: { limits: { memory: 256Mi } }
              autoscaling: { minReplicas: 0, maxReplicas: 5, targetDepthPerReplica: 200, pollingInterval: 200ms, scaleDownStabilization: 1s }
        """;

    private void UseSqlite(IServiceCollection services) =>
        services.AddSingleton(sp => new TaskQueueBrokers(sp.GetRequiredService<IKubernetes>()) { Overrides = Sqlite });

    [Fact]
    public async Task The_pool_follows_the_depth_of_a_sqlite_broker()
    {
        var operatorInstance = await StartOperatorAsync(configure: UseSqlite);
        var created = await CreateAsync(Queue);
        await Eventually.Until(() => ConditionStatus("local", "BrokerReachable") == "True", "the depth is read from the SQLite file");
        // minReplicas 0 and nothing queued: the new pool goes to zero after one window.
        await Eventually.Until(() => Replicas() == 0, "the idle pool scales to zero");

        await using var producerBrokers = new TaskQueueBrokers(Kubectl) { Overrides = Sqlite };
        var producer = await producerBrokers.GetAsync(ModelJson.ToTaskQueue(created), CancellationToken.None);
        await producer.Client.EnqueueManyAsync("demo.noop", Items(2000), new EnqueueOptions { Queue = "default" });
        await Eventually.Until(() => Replicas() == 5, "2,000 tasks at 200 per replica scale to 5", TimeSpan.FromSeconds(60));
        // The Deployment controller starts the pods: the status and the metrics show them as current.
        Api.MarkDeploymentReady("shop", "local-general");
        await Eventually.Until(() => TaskQueue("local")?["status"]?["pools"]?[0]?["currentReplicas"]?.GetValue<int>() == 5, "the status shows 5 current replicas");
        Assert.Matches("celeriac_pool_replicas\\{[^}]*kind=\"current\"[^}]*pool=\"general\"[^}]*\\} 5", operatorInstance.MetricsText());

        while (true)
        {
            var batch = await producer.Broker.ReceiveAsync(["default"], 100, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(100), CancellationToken.None);
            if (batch.Count == 0) break;
            await producer.Broker.AckAsync(batch, CancellationToken.None);
        }
        await Eventually.Until(() => Replicas() == 0, "the drained pool returns to zero", TimeSpan.FromSeconds(60));

        // Deleted: its depth and replica series go.
        Assert.Contains("taskqueue=\"local\"", operatorInstance.MetricsText(), StringComparison.Ordinal);
        await Kubectl.DeleteAsync(ResourceTypes.TaskQueues, "shop", "local", null, CancellationToken.None);
        await Eventually.Until(() => !operatorInstance.MetricsText().Contains("taskqueue=\"local\"", StringComparison.Ordinal), "the deleted TaskQueue's series are gone");
    }

    [Fact]
    public async Task Only_the_leader_scales()
    {
        var a = await StartOperatorAsync(leaderElection: true, identity: "operator-a", configure: UseSqlite);
        var b = await StartOperatorAsync(leaderElection: true, identity: "operator-b", configure: UseSqlite);
        await Eventually.Until(() => a.Controller.IsLeading || b.Controller.IsLeading, "one instance leads");
        var (leader, follower, leaderName) = a.Controller.IsLeading ? (a, b, "operator-a") : (b, a, "operator-b");
        var created = await CreateAsync(Queue);
        await Eventually.Until(() => Replicas() == 0, "the idle pool scales to zero");

        await using var producerBrokers = new TaskQueueBrokers(Kubectl) { Overrides = Sqlite };
        var producer = await producerBrokers.GetAsync(ModelJson.ToTaskQueue(created), CancellationToken.None);
        await producer.Client.EnqueueManyAsync("demo.noop", Items(1000), new EnqueueOptions { Queue = "default" });
        await Eventually.Until(() => Replicas() == 5, "1,000 tasks at 200 per replica scale to 5", TimeSpan.FromSeconds(60));

        await Eventually.Until(() => ScaleEvents().Count == Api.ScaleWrites, "every scale has its Event");
        Assert.True(Api.ScaleWrites >= 2);
        Assert.All(ScaleEvents(), instance => Assert.Equal(leaderName, instance));
        Assert.True(leader.Controller.IsLeading);
        Assert.DoesNotContain("celeriac_pool_replicas{", follower.MetricsText(), StringComparison.Ordinal);

        // The leader goes: the other takes over and scales the drained pool down (after a full window of its own).
        await StopOperatorAsync(leader);
        await Eventually.Until(() => follower.Controller.IsLeading, "the other instance takes over");
        while (true)
        {
            var batch = await producer.Broker.ReceiveAsync(["default"], 100, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(100), CancellationToken.None);
            if (batch.Count == 0) break;
            await producer.Broker.AckAsync(batch, CancellationToken.None);
        }
        await Eventually.Until(() => Replicas() == 0, "the new leader scales the drained pool to zero", TimeSpan.FromSeconds(60));
        await Eventually.Until(() => ScaleEvents().Count == Api.ScaleWrites, "every scale has its Event");
        Assert.Equal(follower == a ? "operator-a" : "operator-b", ScaleEvents()[^1]);
        Assert.Contains("celeriac_pool_replicas{", follower.MetricsText(), StringComparison.Ordinal);
    }

    private List<string> ScaleEvents() =>
        [.. Api.List("v1", "events", "shop").Where(e => e["reason"]!.GetValue<string>() is "ScaledUp" or "ScaledDown")
            .OrderBy(e => long.Parse(e["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture))
            .Select(e => e["reportingInstance"]!.GetValue<string>())];

    private int Replicas() => Deployment("local-general")?["spec"]?["replicas"]?.GetValue<int>() ?? -1;

    private static async IAsyncEnumerable<object> Items(int count)
    {
        for (var i = 0; i < count; i++) yield return new { milliseconds = 0, i };
        await Task.CompletedTask;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
    }
}
