using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Operator.Brokers;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Model;
using Celeriac.Testing.Sqs;
using k8s;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>
/// The built-in autoscaler end to end: the operator against the fake API server, the TaskQueue's broker the real SQS
/// emulator (credentials from a Secret, as the workers get them). 5,000 tasks scale the pool up; draining them
/// scales it back after the stabilization window.
/// </summary>
public sealed class AutoscalingEndToEndTests(SqsEmulator sqs) : OperatorTestBase, IClassFixture<SqsEmulator>
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    private static readonly Dictionary<string, string?> AutoCreate = new() { ["Celeriac:Broker:Sqs:AutoCreateQueues"] = "true" };

    /// <summary>
    /// The operator's connection to the TaskQueue's broker, on an SDK client whose HTTP pipeline corrects the emulator's
    /// known differences from SQS (docs/sqs.md): it counts in-flight messages as ready, which would inflate the depth.
    /// </summary>
    private static TaskQueueBrokers Brokers(IKubernetes kubernetes) =>
        new(kubernetes) { Overrides = AutoCreate, ConfigureServices = services => EmulatorSqsModule.Register(services) };

    private string QueueYaml(string prefix) => $$"""
        apiVersion: celeriac.io/v1alpha1
        kind: TaskQueue
        metadata: { name: billing, namespace: shop }
        spec:
          image: registry.example.com/billing:1.0
          broker:
            sqs: { region: us-east-1, queueUrlPrefix: "{{prefix}}", endpoint: "{{sqs.Endpoint}}", credentialsSecretRef: { name: aws } }
          queues: [ { name: bulk, priority: 1 }, { name: urgent, priority: 10 } ]
          pools:
            - name: general
              queues: [bulk, urgent]
              resources: { limits: { memory: 256Mi } }
              autoscaling: { minReplicas: 1, maxReplicas: 8, targetDepthPerReplica: 500, maxScaleUpStep: 4, pollingInterval: 200ms, scaleDownStabilization: 2s }
        """;

    [Fact]
    public async Task Five_thousand_tasks_scale_the_pool_up_and_draining_them_scales_it_back_after_the_window()
    {
        await CreateSecretAsync("aws", new Dictionary<string, string> { ["accessKeyId"] = "test", ["secretAccessKey"] = "test" });
        var operatorInstance = await StartOperatorAsync(configure: services =>
            services.AddSingleton(sp => Brokers(sp.GetRequiredService<IKubernetes>())));
        var created = await CreateAsync(QueueYaml(sqs.NewPrefix()));

        await Eventually.Until(() => ConditionStatus("billing", "BrokerReachable") == "True", "the autoscaler reads the depth");
        Assert.Equal(1, Replicas());
        Assert.Equal("DepthRead", Condition("billing", "BrokerReachable")!["reason"]!.GetValue<string>());

        // A producer of this TaskQueue, connected as the operator and the workers are.
        await using var producerBrokers = Brokers(Kubectl);
        var producer = await producerBrokers.GetAsync(ModelJson.ToTaskQueue(created), CancellationToken.None);
        var enqueued = Stopwatch.StartNew();
        await producer.Client.EnqueueManyAsync("demo.noop", Items(4000), new EnqueueOptions { Queue = "bulk" });
        await producer.Client.EnqueueManyAsync("demo.noop", Items(1000), new EnqueueOptions { Queue = "urgent" });

        // ceil(5000 / 500) = 10, bounded by maxReplicas 8, in steps of at most 4.
        await Eventually.Until(() => Replicas() == 8, "the pool scales up to maxReplicas", TimeSpan.FromSeconds(60));
        var scaledUpAfter = enqueued.Elapsed;
        await Eventually.Until(() => Pool()?["desiredReplicas"]?.GetValue<int>() == 8 && Pool()?["queueDepth"]?.GetValue<long>() >= 4000,
            "the status shows the desired replicas and the depth");
        var pool = Pool()!;
        Assert.StartsWith("ScaleUp", pool["lastScaleReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(pool["lastScaleTime"]);
        Assert.True(TaskQueue("billing")!["status"]!["queueDepth"]!.GetValue<long>() >= 4000);
        // Scaled while the tasks were still arriving: up at once, at most maxScaleUpStep at a time.
        var ups = Scales().Where(s => s.To > s.From).ToList();
        Assert.NotEmpty(ups);
        Assert.All(ups, s => Assert.InRange(s.To - s.From, 1, 4));
        Assert.Equal(8, ups[^1].To);
        var metrics = operatorInstance.MetricsText();
        Assert.Matches("celeriac_queue_depth\\{[^}]*queue=\"bulk\"[^}]*\\} [1-9][0-9]{3}", metrics);
        Assert.Matches("celeriac_pool_replicas\\{[^}]*kind=\"desired\"[^}]*pool=\"general\"[^}]*\\} 8", metrics);

        // A re-render of the Deployment (a new image) leaves the replicas to the autoscaler.
        await UpdateSpecAsync("shop", "billing", spec => spec["image"] = "registry.example.com/billing:1.1");
        await Eventually.Until(() => Image(Deployment("billing-general")!) == "registry.example.com/billing:1.1", "the Deployment is re-rendered");
        Assert.Equal(8, Replicas());

        // Drain: consumers in this process receive and acknowledge every task.
        // Once fewer than 500 tasks are left (acknowledged ones are gone, received ones count as in flight) one replica is
        // enough, but the window still holds a recommendation of 2 from just before.
        var clock = Stopwatch.StartNew();
        var oneReplicaEnough = await DrainAsync(producer.Broker, ["urgent", "bulk"], expected: 5000, remainingMark: 500, clock);
        await Eventually.Until(() => Replicas() == 1, "the pool scales back to minReplicas", TimeSpan.FromSeconds(60));
        var scaledDownAfter = clock.Elapsed - oneReplicaEnough;

        // Down only once the window had no higher recommendation; never up again while draining (no flapping).
        Assert.True(scaledDownAfter >= Window - TimeSpan.FromMilliseconds(500), $"scaled down {scaledDownAfter} after one replica was enough");
        // The Event follows the scale write.
        await Eventually.Until(() => Scales().Count == Api.ScaleWrites, "every scale has its Event");
        var scales = Scales();
        Assert.DoesNotContain(scales.SkipWhile(s => s.To > s.From), s => s.To > s.From);
        Assert.Equal(1, scales[^1].To);
        await Eventually.Until(() => Pool()?["desiredReplicas"]?.GetValue<int>() == 1 && Pool()?["queueDepth"]?.GetValue<long>() == 0, "the status shows the drained pool");
        Assert.StartsWith("ScaleDown", Pool()!["lastScaleReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Console.WriteLine($"autoscaling e2e: scaled to 8 {scaledUpAfter.TotalSeconds:F1} s after the enqueue began; back to 1 {scaledDownAfter.TotalSeconds:F1} s after 500 or fewer tasks were left (window {Window.TotalSeconds} s); scales {string.Join(", ", scales.Select(s => $"{s.From}->{s.To}"))}");
    }

    private int Replicas() => Deployment("billing-general")?["spec"]?["replicas"]?.GetValue<int>() ?? -1;

    private JsonNode? Pool() => TaskQueue("billing")?["status"]?["pools"]?.AsArray().FirstOrDefault(p => p?["name"]?.GetValue<string>() == "general");

    private List<(string Reason, string Message)> Events() =>
        [.. Api.List("v1", "events", "shop")
            .OrderBy(e => long.Parse(e["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture))
            .Select(e => (e["reason"]!.GetValue<string>(), e["message"]!.GetValue<string>()))];

    /// <summary>The scale Events, in order, as (from, to) replicas.</summary>
    private List<(int From, int To)> Scales() =>
        [.. Events().Where(e => e.Reason is "ScaledUp" or "ScaledDown").Select(e =>
        {
            var match = System.Text.RegularExpressions.Regex.Match(e.Message, "pool general: ([0-9]+) -> ([0-9]+) replicas");
            Assert.True(match.Success, e.Message);
            return (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        })];

    private static async IAsyncEnumerable<object> Items(int count)
    {
        for (var i = 0; i < count; i++) yield return new { milliseconds = 0, i };
        await Task.CompletedTask;
    }

    /// <returns>When (on <paramref name="clock"/>) no more than <paramref name="remainingMark"/> tasks were left.</returns>
    private static async Task<TimeSpan> DrainAsync(IBroker broker, IReadOnlyList<string> queues, int expected, int remainingMark, Stopwatch clock)
    {
        var acknowledged = 0;
        var mark = TimeSpan.MaxValue;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        async Task ConsumeAsync()
        {
            while (Volatile.Read(ref acknowledged) < expected)
            {
                Assert.True(DateTime.UtcNow < deadline, $"drained only {acknowledged} of {expected}");
                var batch = await broker.ReceiveAsync(queues, 10, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200), CancellationToken.None);
                if (batch.Count == 0) continue;
                await broker.AckAsync(batch, CancellationToken.None);
                var done = Interlocked.Add(ref acknowledged, batch.Count);
                if (expected - done <= remainingMark && done - batch.Count < expected - remainingMark) mark = clock.Elapsed;
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(ConsumeAsync)));
        return mark;
    }
}
