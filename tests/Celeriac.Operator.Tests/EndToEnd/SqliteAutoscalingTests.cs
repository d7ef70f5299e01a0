using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Operator.Brokers;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Model;
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

    [Fact]
    public async Task The_pool_follows_the_depth_of_a_sqlite_broker()
    {
        await StartOperatorAsync(configure: services =>
            services.AddSingleton(sp => new TaskQueueBrokers(sp.GetRequiredService<IKubernetesClient>()) { Overrides = Sqlite }));
        var created = await CreateAsync("""
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
            """);
        await Eventually.HoldsAsync(() => ConditionStatus("local", "BrokerReachable") == "True", "the depth is read from the SQLite file");
        // minReplicas 0 and nothing queued: the new pool goes to zero after one window.
        await Eventually.HoldsAsync(() => Replicas() == 0, "the idle pool scales to zero");

        await using var producerBrokers = new TaskQueueBrokers(Kubectl) { Overrides = Sqlite };
        var producer = await producerBrokers.GetAsync(ModelJson.ToTaskQueue(created), CancellationToken.None);
        await producer.Client.EnqueueManyAsync("demo.noop", Items(2000), new EnqueueOptions { Queue = "default" });
        await Eventually.HoldsAsync(() => Replicas() == 5, "2,000 tasks at 200 per replica scale to 5", TimeSpan.FromSeconds(60));

        while (true)
        {
            var batch = await producer.Broker.ReceiveAsync(["default"], 100, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(100), CancellationToken.None);
            if (batch.Count == 0) break;
            await producer.Broker.AckAsync(batch, CancellationToken.None);
        }
        await Eventually.HoldsAsync(() => Replicas() == 0, "the drained pool returns to zero", TimeSpan.FromSeconds(60));
    }

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
