using System.Text.Json.Nodes;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Celeriac.Operator.Autoscaling.ScaleIn;
using Celeriac.Operator.Tests.Fake;
using Celeriac.Registry;
using Celeriac.Sqlite;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>
/// Idle first on scale-in, with real worker processes as the pool's pods: the operator against the fake API server (pods
/// listed and merge-patched by KubernetesClient over its socket), its depths and the workers' registry read from the
/// SQLite broker file the workers share (TaskQueueBrokers.Overrides, as in <see cref="SqliteAutoscalingTests"/>). The
/// test plays the Deployment controller and the kubelet (a pod per replica, each a <c>celeriac-worker</c> process with the
/// pod's name from the rendered Deployment's downward-API variable; SIGTERM when its pod is deleted) and the ReplicaSet
/// controller's documented choice of pods to delete (<see cref="ReplicaSetScaleDown"/>).
/// </summary>
public sealed class IdleFirstScaleInTests(ITestOutputHelper output) : OperatorTestBase
{
    private sealed class Workers() : WorkerProcessScenario("scale-in", directory => c => c.UseSqliteBroker(o => o.Path = Path.Combine(directory, "celeriac.db")))
    {
        public string BrokerPath => Path.Combine(Directory, "celeriac.db");

        protected override IReadOnlyDictionary<string, string> BrokerEnvironment => new Dictionary<string, string>();

        protected override IEnumerable<string> BrokerArguments => ["--db", BrokerPath];
    }

    private static string Yaml(int minReplicas, string busyWait) => $$"""
        apiVersion: celeriac.io/v1alpha1
        kind: TaskQueue
        metadata: { name: scalein, namespace: shop }
        spec:
          image: registry.example.com/scalein:1.0
          broker: { redis: { address: 'unused:6379' } }
          queues: [ { name: default } ]
          pools:
            - name: general
              queues: [default]
              concurrency: 1
              resources: { limits: { memory: 256Mi } }
              autoscaling: { minReplicas: {{minReplicas}}, maxReplicas: 3, targetDepthPerReplica: 2, pollingInterval: 200ms, scaleDownStabilization: 1s, scaleInBusyWait: {{busyWait}} }
        """;

    private const string DeploymentName = "scalein-general";

    [Fact]
    public async Task A_pool_scaled_in_while_one_worker_runs_a_long_task_marks_that_pod_dearest_loses_the_idle_ones_and_the_task_completes()
    {
        await using var workers = new Workers();
        var processes = await StartPoolAsync(workers, Yaml(minReplicas: 3, busyWait: "5m"), replicas: 3);
        var registry = workers.Services.GetRequiredService<IWorkerRegistry>();

        var id = await workers.Client.EnqueueAsync(new RecordArgs(25_000));
        var busyPod = await Eventually.Value<string?>(async () => (await registry.ListAsync(CancellationToken.None)).FirstOrDefault(w => w.InFlight.Any(t => t.Id == id))?.Host,
            host => host is not null, "the long task runs and its worker's registry entry says so");

        // One task in flight, two per replica: the pool needs one replica once its minimum allows it.
        await UpdateSpecAsync("shop", "scalein", spec => spec["pools"]![0]!["autoscaling"]!["minReplicas"] = 1);
        await Eventually.Until(() => Replicas() == 1, "the pool scales in to 1 replica", TimeSpan.FromSeconds(30));

        var costs = (await PodsAsync()).ToDictionary(p => p.Metadata.Name, ReplicaSetScaleDown.Cost);
        output.WriteLine("pod-deletion-cost: " + string.Join(", ", costs.Select(c => $"{c.Key}={c.Value}")));
        Assert.Equal(processes.Keys.Order(StringComparer.Ordinal), costs.Keys.Order(StringComparer.Ordinal));
        Assert.True(costs[busyPod!] >= 1, $"the busy pod costs {costs[busyPod!]}");
        Assert.All(costs.Where(c => c.Key != busyPod), c => Assert.Equal(0, c.Value));
        Assert.All((await PodsAsync()).Select(p => p.Metadata.Annotations), a => Assert.True(a.ContainsKey(PodDeletionCost.Annotation)));

        var deleted = await ReplicaSetScaleDown.RunAsync(Kubectl, "shop", DeploymentName);
        Assert.Equal(processes.Keys.Where(p => p != busyPod).Order(StringComparer.Ordinal), deleted.Order(StringComparer.Ordinal));
        foreach (var pod in deleted) processes[pod].Terminate(); // The kubelet stops a deleted pod's container.

        foreach (var pod in deleted) Assert.Equal(0, await processes[pod].WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await Eventually.Until(() => workers.Executions().Any(e => e.TaskId == id && e.Event == "done"), "the long task completes", TimeSpan.FromSeconds(60));
        var runs = workers.Executions().Where(e => e.TaskId == id).ToList();
        Assert.Equal(["started", "done"], runs.Select(r => r.Event));
        Assert.All(runs, r => Assert.Equal(processes[busyPod!].Id, r.Pid));
        Assert.False(processes[busyPod!].HasExited);

        await Eventually.Until(() => ConditionStatus("scalein", "IdleFirstScaleIn") == "True", "the status says the scale-in put idle workers first");
        Assert.Contains(Events("ScaledDown"), m => m.Contains("pool general: 3 -> 1 replicas", StringComparison.Ordinal));
        Assert.Empty(Events("WaitingForBusyWorkers"));
    }

    [Fact]
    public async Task A_pool_waits_when_every_pod_is_busy_and_scales_in_once_a_worker_is_idle()
    {
        await using var workers = new Workers();
        var processes = await StartPoolAsync(workers, Yaml(minReplicas: 2, busyWait: "5m"), replicas: 2);
        var registry = workers.Services.GetRequiredService<IWorkerRegistry>();

        var shortTask = await workers.Client.EnqueueAsync(new RecordArgs(6_000));
        var longTask = await workers.Client.EnqueueAsync(new RecordArgs(30_000));
        var running = await Eventually.Value(async () => await registry.ListAsync(CancellationToken.None),
            entries => entries.Count(w => w.InFlightCount > 0 && processes.ContainsKey(w.Host)) == 2, "each pod's worker runs one of the two tasks");
        var longPod = running.Single(w => w.InFlight.Any(t => t.Id == longTask)).Host;

        // Two tasks in flight, two per replica: one replica would do, but both pods are busy.
        await UpdateSpecAsync("shop", "scalein", spec => spec["pools"]![0]!["autoscaling"]!["minReplicas"] = 1);
        await Eventually.Until(() => ConditionStatus("scalein", "ScaleInWaiting") == "True", "the status says the scale-in waits for busy workers");
        Assert.Contains("pool general: the scale-in to 1 replicas waits for busy workers", Condition("scalein", "ScaleInWaiting")!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(2, Replicas());
        Assert.Contains("2 of 2 workers run tasks, so the scale-in to 1 waits for them (at most 5m)", Assert.Single(Events("WaitingForBusyWorkers")), StringComparison.Ordinal);

        // The short task ends: its pod is idle, and the scale-in goes ahead with that one.
        await Eventually.Until(() => Replicas() == 1, "the pool scales in once a worker is idle", TimeSpan.FromSeconds(30));
        Assert.Contains(workers.Executions(), e => e.TaskId == shortTask && e.Event == "done");
        Assert.DoesNotContain(workers.Executions(), e => e.TaskId == longTask && e.Event == "done");
        // Polled every 200 ms for seconds, the wait was still one Event.
        Assert.Single(Events("WaitingForBusyWorkers"));
        var deleted = await ReplicaSetScaleDown.RunAsync(Kubectl, "shop", DeploymentName);
        Assert.Equal([processes.Keys.Single(p => p != longPod)], deleted);
        processes[deleted[0]].Terminate();

        await Eventually.Until(() => workers.Executions().Any(e => e.TaskId == longTask && e.Event == "done"), "the long task completes", TimeSpan.FromSeconds(60));
        Assert.Equal(["started", "done"], workers.Executions().Where(e => e.TaskId == longTask).Select(e => e.Event));
        await Eventually.Until(() => ConditionStatus("scalein", "ScaleInWaiting") == "False", "the status says no scale-in waits any more");
    }

    [Fact]
    public async Task Without_a_shared_store_a_pool_scales_in_as_before_and_says_so()
    {
        // The in-memory broker keeps its store (and so the workers' registry) inside each process: the operator cannot see the workers.
        await StartOperatorAsync(brokerOverrides: new Dictionary<string, string?> { ["Celeriac:Broker:Type"] = "memory" });
        await CreateAsync(Yaml(minReplicas: 3, busyWait: "5m"));
        await Eventually.Until(() => Replicas() == 3, "the pool is at 3 replicas");

        await UpdateSpecAsync("shop", "scalein", spec => spec["pools"]![0]!["autoscaling"]!["minReplicas"] = 1);
        await Eventually.Until(() => Replicas() == 1, "the pool scales in as before", TimeSpan.FromSeconds(30));
        await Eventually.Until(() => ConditionStatus("scalein", "IdleFirstScaleIn") == "False", "the status says idle workers could not be put first");
        var message = Condition("scalein", "IdleFirstScaleIn")!["message"]!.GetValue<string>();
        Assert.Contains("removes pods as the Deployment controller picks them", message, StringComparison.Ordinal);
        Assert.Contains("the workers share no store", message, StringComparison.Ordinal);
        Assert.Equal("True", ConditionStatus("scalein", "Reconciled"));
        Assert.Empty(Events("WaitingForBusyWorkers"));
    }

    /// <summary>Creates the TaskQueue, waits for its Deployment at <paramref name="replicas"/>, and runs a pod with a worker per replica, each registered under its pod's name.</summary>
    private async Task<Dictionary<string, LocalWorkerProcess>> StartPoolAsync(Workers workers, string yaml, int replicas)
    {
        await StartOperatorAsync(brokerOverrides: new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Type"] = "sqlite",
            ["Celeriac:Broker:Sqlite:Path"] = workers.BrokerPath,
        });
        await CreateAsync(yaml);
        await Eventually.Until(() => Replicas() == replicas, $"the pool is at {replicas} replicas");
        var deployment = Deployment(DeploymentName)!;
        var labels = deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject().ToDictionary(l => l.Key, l => l.Value!.GetValue<string>());
        var processes = new Dictionary<string, LocalWorkerProcess>(StringComparer.Ordinal);
        for (var i = 0; i < replicas; i++)
        {
            var name = $"{DeploymentName}-6b7d9c5f4-{(char)('k' + i)}{i}x{i}z";
            var pod = await Kubectl.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "shop", Labels = labels },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "worker", Image = "registry.example.com/scalein:1.0" }] },
                Status = new V1PodStatus { Phase = "Running" },
            }, "shop");
            var environment = Kubelet.Environment(Kubelet.Env(deployment), (_, _) => "unused",
                new JsonObject { ["metadata"] = new JsonObject { ["name"] = pod.Metadata.Name, ["namespace"] = "shop" } });
            processes[name] = workers.StartWorker(concurrency: 1, extra: new Dictionary<string, string>
            {
                // What the rendered Deployment gives the container: its pod's name, through the downward API.
                [WorkerIdentity.PodNameVariable] = environment[WorkerIdentity.PodNameVariable],
                ["Celeriac__Registry__HeartbeatInterval"] = "00:00:00.500",
            });
        }
        Api.MarkDeploymentReady("shop", DeploymentName);
        var registry = workers.Services.GetRequiredService<IWorkerRegistry>();
        var registered = await Eventually.Reached(async () =>
            (await registry.ListAsync(CancellationToken.None)).Where(w => !w.Stopped).Select(w => w.Host).ToHashSet().SetEquals(processes.Keys), TimeSpan.FromSeconds(90));
        Assert.True(registered, "each pod's worker registers under the pod's name:\n" + string.Join("\n", processes.Values.Select(p => p.Output)));
        return processes;
    }

    private async Task<IList<V1Pod>> PodsAsync() => (await Kubectl.CoreV1.ListNamespacedPodAsync("shop")).Items;

    private int Replicas() => Deployment(DeploymentName)?["spec"]?["replicas"]?.GetValue<int>() ?? -1;

    private List<string> Events(string reason) =>
        [.. Api.List("v1", "events", "shop").Where(e => e["reason"]!.GetValue<string>() == reason).Select(e => e["message"]!.GetValue<string>())];
}
