using System.Text.Json.Nodes;
using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;
using Celeriac.Operator.Tests.Fake;
using Celeriac.Operator.Tests.Schema;
using Celeriac.Operator.Validation;
using Celeriac.Worker;
using Microsoft.Extensions.Configuration;

namespace Celeriac.Operator.Tests;

/// <summary>
/// A pool default is one value. Concurrency and shutdownGrace are the worker's own (<see cref="WorkerOptions"/>); the model
/// takes them from there, the CRD's markers are generated from the model, the validator checks the model with the CRD's
/// bounds, and the renderer writes what the model holds. Changing the worker's default moves all of them; these tests
/// fail until <c>make docs</c> has rewritten the CRD.
/// </summary>
public sealed class PoolDefaultsTests
{
    private static readonly WorkerOptions Worker = new();

    private static JsonObject PoolSchema(string field) =>
        CrdFile.OpenApiSchema()["properties"]!["spec"]!["properties"]!["pools"]!["items"]!["properties"]![field]!.AsObject();

    /// <summary>A pool that leaves every defaulted field out.</summary>
    private static TaskQueue Queue(string memory = "1Gi") => TestQueues.Parse($$"""
        apiVersion: celeriac.io/v1alpha1
        kind: TaskQueue
        metadata: { name: billing, namespace: shop }
        spec:
          image: registry.example.com/billing:1.0
          broker: { redis: { address: 'redis:6379' } }
          queues: [ { name: default } ]
          pools: [ { name: general, queues: [default], resources: { limits: { memory: '{{memory}}' } } } ]
        """);

    /// <summary>The worker's options as a pod of the pool reads them from its environment.</summary>
    private static WorkerOptions WorkerOf(TaskQueue queue)
    {
        var deployment = TaskQueueRenderer.Deployment(queue, queue.Spec.Pools[0], new RenderOptions());
        var environment = Kubelet.Environment(Kubelet.Env(deployment), (_, _) => "secret");
        var options = new WorkerOptions();
        Kubelet.Configuration(environment).GetSection("Celeriac:Worker").Bind(options);
        return options;
    }

    private static IReadOnlyList<string> ErrorsWith(Action<PoolSpec> change)
    {
        var queue = Queue();
        change(queue.Spec.Pools[0]);
        return TaskQueueValidator.Validate(queue);
    }

    [Fact]
    public void Concurrency_is_the_workers_default_in_the_crd_the_model_the_renderer_and_a_running_worker()
    {
        var schema = PoolSchema("concurrency");
        Assert.Equal(Worker.Concurrency, schema["default"]!.GetValue<int>());
        Assert.Equal(Worker.Concurrency, Queue().Spec.Pools[0].Concurrency);
        Assert.Equal(Worker.Concurrency, WorkerOf(Queue()).Concurrency);
    }

    [Fact]
    public void The_crds_concurrency_bounds_are_the_validators_and_a_worker_accepts_all_of_them()
    {
        var schema = PoolSchema("concurrency");
        var (min, max) = (schema["minimum"]!.GetValue<int>(), schema["maximum"]!.GetValue<int>());
        Assert.Empty(ErrorsWith(p => p.Concurrency = min));
        Assert.Empty(ErrorsWith(p => p.Concurrency = max));
        Assert.Contains(ErrorsWith(p => p.Concurrency = min - 1), e => e.StartsWith("spec.pools[0].concurrency:", StringComparison.Ordinal));
        Assert.Contains(ErrorsWith(p => p.Concurrency = max + 1), e => e.StartsWith("spec.pools[0].concurrency:", StringComparison.Ordinal));

        var workerRules = new WorkerOptionsValidator();
        Assert.True(workerRules.Validate(null, new WorkerOptions { Concurrency = min }).Succeeded);
        Assert.True(workerRules.Validate(null, new WorkerOptions { Concurrency = max }).Succeeded);
    }

    [Fact]
    public void Shutdown_grace_is_the_workers_default_in_the_crd_the_model_the_renderer_and_a_running_worker()
    {
        var crd = KubeDuration.Parse(PoolSchema("shutdownGrace")["default"]!.GetValue<string>());
        Assert.Equal(Worker.ShutdownGrace, crd);
        Assert.Equal(Worker.ShutdownGrace, KubeDuration.Parse(Queue().Spec.Pools[0].ShutdownGrace));
        Assert.Equal(Worker.ShutdownGrace, WorkerOf(Queue()).ShutdownGrace);
        // Kubernetes waits for the grace (and the margin) before it kills the pod.
        var pod = TaskQueueRenderer.Deployment(Queue(), Queue().Spec.Pools[0], new RenderOptions())["spec"]!["template"]!["spec"]!;
        Assert.Equal((long)Math.Ceiling((Worker.ShutdownGrace + new RenderOptions().TerminationMargin).TotalSeconds),
            pod["terminationGracePeriodSeconds"]!.GetValue<long>());
    }

    [Fact]
    public void The_memory_ceiling_share_is_one_default_for_the_renderer_and_the_validator()
    {
        var percent = PoolSchema("memoryCeilingPercent")["default"]!.GetValue<int>();
        Assert.Equal(percent, Queue().Spec.Pools[0].MemoryCeilingPercent);
        Assert.Equal((long)Math.Floor(1024m * percent / 100), WorkerOf(Queue()).MemoryCeilingMb);

        // The smallest memory limit whose default share still leaves the worker 64Mi, in bytes: the validator draws the line there.
        var smallest = (long)Math.Ceiling(64m * 1024 * 1024 * 100 / percent);
        Assert.DoesNotContain(TaskQueueValidator.Validate(Queue(smallest.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            e => e.Contains("less than 64Mi", StringComparison.Ordinal));
        Assert.Contains(TaskQueueValidator.Validate(Queue((smallest - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))),
            e => e.Contains("less than 64Mi", StringComparison.Ordinal));
    }

    [Fact]
    public void Durations_round_trip_through_the_crds_form()
    {
        foreach (var value in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(25), TimeSpan.FromMinutes(90), TimeSpan.FromMilliseconds(1500), TimeSpan.FromHours(26), TimeSpan.FromMilliseconds(0.5) })
            Assert.Equal(value, KubeDuration.Parse(KubeDuration.Format(value)));
        Assert.Equal("1h30m", KubeDuration.Format(TimeSpan.FromMinutes(90)));
        Assert.Equal("1s500ms", KubeDuration.Format(TimeSpan.FromMilliseconds(1500)));
    }
}
