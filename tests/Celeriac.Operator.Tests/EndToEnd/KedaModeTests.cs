using System.Text.Json.Nodes;
using Celeriac.Operator.Tests.Fake;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>autoscaling.engine keda: the operator applies ScaledObjects where KEDA is installed, reports it where not, and never scales those pools itself.</summary>
public sealed class KedaModeTests : OperatorTestBase
{
    private const string Queue = """
        apiVersion: celeriac.io/v1alpha1
        kind: TaskQueue
        metadata: { name: billing, namespace: shop }
        spec:
          image: registry.example.com/billing:1.0
          broker:
            sqs: { region: eu-west-1, queueUrlPrefix: "http://127.0.0.1:9/1/billing-", credentialsSecretRef: { name: aws } }
          queues: [ { name: bulk } ]
          pools:
            - name: general
              queues: [bulk]
              resources: { limits: { memory: 256Mi } }
              autoscaling: { engine: keda, minReplicas: 0, maxReplicas: 5, pollingInterval: 200ms }
        """;

    [Fact]
    public async Task With_keda_installed_the_operator_applies_a_scaled_object_and_leaves_replicas_to_it()
    {
        Api.Register(new FakeResource("keda.sh", "v1alpha1", "scaledobjects", "ScaledObject", true, true));
        Api.Register(new FakeResource("keda.sh", "v1alpha1", "triggerauthentications", "TriggerAuthentication", true, false));
        await StartOperatorAsync();
        await CreateAsync(Queue);

        await Eventually.Until(() => Api.Get("keda.sh/v1alpha1", "scaledobjects", "shop", "billing-general") is not null, "the ScaledObject is applied");
        Assert.NotNull(Api.Get("keda.sh/v1alpha1", "triggerauthentications", "shop", "billing-general-broker"));
        await Eventually.Until(() => ConditionStatus("billing", "Autoscaling") == "True", "the Autoscaling condition is set");
        Assert.Equal("ScaledObjectsApplied", Condition("billing", "Autoscaling")!["reason"]!.GetValue<string>());

        // Several polling intervals later the built-in scaler has not touched the pool (its broker is not even reachable).
        await Task.Delay(1500);
        Assert.Equal(0, Api.ScaleWrites);
        Assert.Equal(1, Deployment("billing-general")!["spec"]!["replicas"]!.GetValue<int>());

        // Back to builtin: the KEDA objects are removed.
        await UpdateSpecAsync("shop", "billing", spec => spec["pools"]![0]!["autoscaling"]!["engine"] = "builtin");
        await Eventually.Until(() => Api.Get("keda.sh/v1alpha1", "scaledobjects", "shop", "billing-general") is null
            && Api.Get("keda.sh/v1alpha1", "triggerauthentications", "shop", "billing-general-broker") is null, "the KEDA objects are deleted");
    }

    [Fact]
    public async Task Without_keda_the_condition_says_the_pools_are_not_scaled()
    {
        await StartOperatorAsync();
        await CreateAsync(Queue);
        await Eventually.Until(() => ConditionStatus("billing", "Autoscaling") == "False", "the Autoscaling condition reports KEDA missing");
        var condition = Condition("billing", "Autoscaling")!;
        Assert.Equal("KedaNotInstalled", condition["reason"]!.GetValue<string>());
        Assert.Contains("general", condition["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("True", ConditionStatus("billing", "Reconciled"));
    }
}
