using System.Diagnostics;
using System.Globalization;
using Celeriac.Client;
using Celeriac.Operator.Brokers;
using Celeriac.Operator.Model;
using Xunit.Abstractions;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>
/// Scaling on waiting time and fast scale from zero: the operator against the fake API server, its depths and ages read
/// from a real SQLite broker file (TaskQueueBrokers.Overrides, as in <see cref="SqliteAutoscalingTests"/>). No worker
/// consumes, so a message waits until the test takes it.
/// </summary>
public sealed class QueueWaitAutoscalingTests(ITestOutputHelper output) : OperatorTestBase, IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("celeriac-wait-").FullName;

    private Dictionary<string, string?> Sqlite => new()
    {
        ["Celeriac:Broker:Type"] = "sqlite",
        ["Celeriac:Broker:Sqlite:Path"] = Path.Combine(directory, "celeriac.db"),
    };

    [Fact]
    public async Task An_old_head_message_scales_a_pool_with_targetQueueWait_up_while_the_depth_is_below_its_target()
    {
        // Two pools on the same queue, the same depth target; only "waiting" has a targetQueueWait.
        const string yaml = """
            apiVersion: celeriac.io/v1alpha1
            kind: TaskQueue
            metadata: { name: waits, namespace: shop }
            spec:
              image: registry.example.com/waits:1.0
              broker: { redis: { address: 'unused:6379' } }
              queues: [ { name: default } ]
              pools:
                - name: waiting
                  queues: [default]
                  resources: { limits: { memory: 256Mi } }
                  autoscaling: { minReplicas: 1, maxReplicas: 4, targetDepthPerReplica: 100, targetQueueWait: 2s, pollingInterval: 200ms, scaleDownStabilization: 1m }
                - name: plain
                  queues: [default]
                  resources: { limits: { memory: 256Mi } }
                  autoscaling: { minReplicas: 1, maxReplicas: 4, targetDepthPerReplica: 100, pollingInterval: 200ms, scaleDownStabilization: 1m }
            """;
        await StartOperatorAsync(brokerOverrides: Sqlite);
        var created = await CreateAsync(yaml);
        await Eventually.Until(() => ConditionStatus("waits", "BrokerReachable") == "True", "the depth is read from the SQLite file");

        await using var producerBrokers = new TaskQueueBrokers(Kubectl) { Overrides = Sqlite };
        var producer = await producerBrokers.GetAsync(ModelJson.ToTaskQueue(created), CancellationToken.None);
        var sent = Stopwatch.StartNew();
        for (var i = 0; i < 3; i++) await producer.Client.EnqueueAsync("demo.noop", new { milliseconds = 0, i }, new EnqueueOptions { Queue = "default" });

        await Eventually.Until(() => Replicas("waits-waiting") >= 2, "the waiting pool scales up on its old head message", TimeSpan.FromSeconds(30));
        // Not before the head message had waited longer than the target.
        Assert.True(sent.Elapsed >= TimeSpan.FromSeconds(2), $"scaled after {sent.Elapsed}");
        // Three messages, 100 per replica: depth alone says one replica, and the pool without a wait target keeps it.
        Assert.Equal(1, Replicas("waits-plain"));
        await Eventually.Until(() => TaskQueue("waits")?["status"]?["pools"]?.AsArray().Any(p => p?["name"]?.GetValue<string>() == "waiting" && p["queueDepth"]?.GetValue<long>() == 3) == true,
            "the status shows the depth of 3 the decision counted");
        // The Event follows the scale write.
        await Eventually.Until(() => ScaledUp().Any(m => m.Contains("pool waiting", StringComparison.Ordinal) && m.Contains("oldest ready", StringComparison.Ordinal)
            && m.Contains("target wait 2 s", StringComparison.Ordinal)), "a ScaledUp Event names the wait");
        Assert.DoesNotContain(ScaledUp(), m => m.Contains("pool plain", StringComparison.Ordinal));

        // The wait keeps growing while nobody takes the messages: the pool grows to its maximum, the other stays.
        await Eventually.Until(() => Replicas("waits-waiting") == 4, "the waiting pool reaches maxReplicas", TimeSpan.FromSeconds(30));
        Assert.Equal(1, Replicas("waits-plain"));
    }

    [Fact]
    public async Task A_pool_at_zero_is_polled_at_pollingIntervalAtZero_and_starts_on_the_first_message()
    {
        // pollingInterval 10s: a pool at zero is read every 2 s (the default pollingIntervalAtZero) instead.
        const string yaml = """
            apiVersion: celeriac.io/v1alpha1
            kind: TaskQueue
            metadata: { name: cold, namespace: shop }
            spec:
              image: registry.example.com/cold:1.0
              broker: { redis: { address: 'unused:6379' } }
              queues: [ { name: default } ]
              pools:
                - name: general
                  queues: [default]
                  resources: { limits: { memory: 256Mi } }
                  autoscaling: { minReplicas: 0, maxReplicas: 4, pollingInterval: 10s, scaleDownStabilization: 1s }
            """;
        await StartOperatorAsync(brokerOverrides: Sqlite);
        var created = await CreateAsync(yaml);
        await using var producerBrokers = new TaskQueueBrokers(Kubectl) { Overrides = Sqlite };
        var producer = await producerBrokers.GetAsync(ModelJson.ToTaskQueue(created), CancellationToken.None);

        var reactions = new List<TimeSpan>();
        for (var trial = 0; trial < 3; trial++)
        {
            await Eventually.Until(() => Replicas("cold-general") == 0, "the idle pool is at zero", TimeSpan.FromSeconds(45));
            // Somewhere in the 2 s cycle, not right after a read.
            await Task.Delay(TimeSpan.FromMilliseconds(300 + 700 * trial));
            var enqueued = Stopwatch.StartNew();
            await producer.Client.EnqueueAsync("demo.noop", new { milliseconds = 0, trial }, new EnqueueOptions { Queue = "default" });
            await Eventually.Until(() => Replicas("cold-general") == 1, "the first message starts a worker", TimeSpan.FromSeconds(30));
            reactions.Add(enqueued.Elapsed);
            // The worker would take it: drain, so the pool goes back to zero for the next trial.
            var batch = await producer.Broker.ReceiveAsync(["default"], 10, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), CancellationToken.None);
            await producer.Broker.AckAsync(batch, CancellationToken.None);
        }
        output.WriteLine("enqueue to scale-up from zero: " + string.Join(", ", reactions.Select(r => r.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s")));
        // Each within the 2 s interval plus a read and a write, far inside the 10 s pollingInterval the pool has otherwise.
        Assert.All(reactions, r => Assert.True(r < TimeSpan.FromSeconds(5), $"took {r}"));
    }

    private List<string> ScaledUp() =>
        [.. Api.List("v1", "events", "shop").Where(e => e["reason"]!.GetValue<string>() == "ScaledUp").Select(e => e["message"]!.GetValue<string>())];

    private int Replicas(string deployment) => Deployment(deployment)?["spec"]?["replicas"]?.GetValue<int>() ?? -1;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
    }
}
