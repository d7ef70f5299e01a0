using System.Text.Json.Nodes;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Tests.Fake;
using k8s;
using k8s.Models;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>The operator end to end against the fake API server: create, update, delete.</summary>
public sealed class ReconcileTests : OperatorTestBase
{
    [Fact]
    public async Task Create_applies_every_object_and_reports_readiness_once_the_pools_are_ready()
    {
        await StartOperatorAsync();
        var created = await CreateAsync();
        var uid = created["metadata"]!["uid"]!.GetValue<string>();

        await Eventually.Until(() => ConditionStatus("billing", "Reconciled") == "True", "the TaskQueue is reconciled");
        foreach (var name in new[] { "billing-general", "billing-urgent" })
        {
            var deployment = Deployment(name)!;
            Assert.Equal(uid, deployment["metadata"]!["ownerReferences"]![0]!["uid"]!.GetValue<string>());
            Assert.NotNull(Api.Get("policy/v1", "poddisruptionbudgets", "shop", name));
            Assert.NotNull(Api.Get("v1", "services", "shop", name + "-metrics"));
        }
        var status = TaskQueue("billing")!["status"]!;
        Assert.Equal(1, status["observedGeneration"]!.GetValue<long>());
        Assert.Equal("0/2", status["readyPools"]!.GetValue<string>());
        Assert.Equal("False", ConditionStatus("billing", "Ready"));
        Assert.Equal("False", ConditionStatus("billing", "Degraded"));
        Assert.Equal("Unknown", ConditionStatus("billing", "BrokerReachable"));
        var ready = Condition("billing", "Ready")!;
        Assert.Equal("PoolsNotReady", ready["reason"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(ready["lastTransitionTime"]!.GetValue<string>()));
        Assert.Equal(1, ready["observedGeneration"]!.GetValue<long>());

        Api.MarkDeploymentReady("shop", "billing-general");
        Api.MarkDeploymentReady("shop", "billing-urgent");
        await Eventually.Until(() => ConditionStatus("billing", "Ready") == "True", "the TaskQueue is Ready");
        status = TaskQueue("billing")!["status"]!;
        Assert.Equal("2/2", status["readyPools"]!.GetValue<string>());
        Assert.Equal(2, status["replicas"]!.GetValue<int>());
        Assert.Equal("True", ConditionStatus("billing", "BrokerReachable"));
        Assert.Equal(1, status["pools"]!.AsArray().First(p => p!["name"]!.GetValue<string>() == "general")!["readyReplicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task Update_adds_and_removes_pools_and_rolls_a_new_image()
    {
        await StartOperatorAsync();
        await CreateAsync();
        await Eventually.Until(() => Deployment("billing-urgent") is not null, "the urgent pool exists");

        await UpdateSpecAsync("shop", "billing", spec =>
        {
            spec["image"] = "registry.example.com/billing:2.0";
            var pools = spec["pools"]!.AsArray();
            pools.RemoveAt(1);
            pools.Add(new JsonObject
            {
                ["name"] = "bulk",
                ["queues"] = new JsonArray("bulk"),
                ["resources"] = new JsonObject { ["limits"] = new JsonObject { ["memory"] = "256Mi" } },
            });
        });

        await Eventually.Until(() => Deployment("billing-bulk") is not null, "the bulk pool is created");
        await Eventually.Until(() => Deployment("billing-urgent") is null, "the urgent pool's Deployment is deleted");
        await Eventually.Until(() => Api.Get("policy/v1", "poddisruptionbudgets", "shop", "billing-urgent") is null, "its PDB is deleted");
        await Eventually.Until(() => Api.Get("v1", "services", "shop", "billing-urgent-metrics") is null, "its Service is deleted");
        await Eventually.Until(() => Image(Deployment("billing-general")!) == "registry.example.com/billing:2.0", "the image is rolled");
        Assert.Equal("registry.example.com/billing:2.0", Image(Deployment("billing-bulk")!));
        await Eventually.Until(() => TaskQueue("billing")!["status"]?["observedGeneration"]?.GetValue<long>() == 2, "generation 2 is observed");
        Assert.DoesNotContain(TaskQueue("billing")!["status"]!["pools"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "urgent");
    }

    [Fact]
    public async Task Objects_the_operator_does_not_own_are_never_deleted()
    {
        await StartOperatorAsync();
        // Same labels, but no owner reference to this TaskQueue: e.g. created by hand.
        await Kubectl.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta
            {
                Name = "billing-handmade",
                NamespaceProperty = "shop",
                Labels = new Dictionary<string, string> { ["celeriac.io/taskqueue"] = "billing", ["app.kubernetes.io/managed-by"] = "celeriac-operator" },
            },
            Spec = new V1DeploymentSpec(),
        }, "shop");
        await CreateAsync();
        await Eventually.Until(() => ConditionStatus("billing", "Reconciled") == "True", "reconciled");
        Assert.NotNull(Deployment("billing-handmade"));
    }

    [Fact]
    public async Task Replicas_set_by_the_autoscaler_survive_reconciliation()
    {
        await StartOperatorAsync();
        await CreateAsync();
        await Eventually.Until(() => Deployment("billing-general") is not null, "the Deployment exists");
        Assert.Equal(1, Deployment("billing-general")!["spec"]!["replicas"]!.GetValue<int>());

        // The autoscaler (issue 7) sets replicas as its own field manager.
        await Kubectl.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = "billing-general", NamespaceProperty = "shop" },
            Spec = new V1DeploymentSpec { Replicas = 4 },
        }, V1Patch.PatchType.ApplyPatch), "billing-general", "shop", fieldManager: "celeriac-autoscaler", force: false);

        await UpdateSpecAsync("shop", "billing", spec => spec["image"] = "registry.example.com/billing:3.0");
        await Eventually.Until(() => Image(Deployment("billing-general")!) == "registry.example.com/billing:3.0", "the new image is applied");
        Assert.Equal(4, Deployment("billing-general")!["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task Reconciling_an_unchanged_queue_writes_nothing()
    {
        await StartOperatorAsync();
        await CreateAsync();
        await Eventually.Until(() => ConditionStatus("billing", "Reconciled") == "True", "reconciled");
        var before = Deployment("billing-general")!["metadata"]!["resourceVersion"]!.GetValue<string>();
        var statusBefore = TaskQueue("billing")!["metadata"]!["resourceVersion"]!.GetValue<string>();
        var applies = Api.Requests.Count(r => r.StartsWith("PATCH", StringComparison.Ordinal));
        // Pools are not ready, so the operator looks again every 0.5 s: wait for several more passes.
        await Eventually.Until(() => Api.Requests.Count(r => r.StartsWith("PATCH", StringComparison.Ordinal)) > applies + 20, "more reconcile passes");
        Assert.Equal(before, Deployment("billing-general")!["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal(statusBefore, TaskQueue("billing")!["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_the_queue_garbage_collects_its_objects_and_the_operator_carries_on()
    {
        var op = await StartOperatorAsync();
        await CreateAsync();
        await Eventually.Until(() => Deployment("billing-general") is not null, "created");
        await Kubectl.DeleteAsync(ResourceTypes.TaskQueues, "shop", "billing", null, CancellationToken.None);
        await Eventually.Until(() => Api.List("apps/v1", "deployments", "shop").Count == 0, "the Deployments are collected");
        await Eventually.Until(() => Api.List("v1", "services", "shop").Count == 0, "the Services are collected");
        await Eventually.Until(() => op.Metrics.ReconcileCount("gone") >= 1, "the operator saw the deletion");

        await CreateAsync(TestQueues.Sample.Replace("name: billing,", "name: billing2,", StringComparison.Ordinal));
        await Eventually.Until(() => Deployment("billing2-general") is not null, "a later queue is still reconciled");
    }

    [Fact]
    public async Task A_service_monitor_is_applied_when_the_prometheus_operator_crd_exists()
    {
        Api.Register(new FakeResource("monitoring.coreos.com", "v1", "servicemonitors", "ServiceMonitor", true, false));
        await StartOperatorAsync();
        await CreateAsync();
        await Eventually.Until(() => Api.Get("monitoring.coreos.com/v1", "servicemonitors", "shop", "billing-general") is not null, "a ServiceMonitor exists");
        // Pools are applied one after the other: the second pool's ServiceMonitor may come a moment later.
        await Eventually.Until(() => Api.Get("monitoring.coreos.com/v1", "servicemonitors", "shop", "billing-urgent") is not null, "the second pool's ServiceMonitor exists");
    }
}
