using System.Text.Json.Nodes;
using Celeriac.Operator.Autoscaling.Keda;
using Celeriac.Operator.Kubernetes;

namespace Celeriac.Operator.Tests.Autoscaling;

/// <summary>keda mode: the ScaledObject and TriggerAuthentication rendered for each broker, with KEDA's metadata names.</summary>
public sealed class ScaledObjectRenderingTests
{
    private static IReadOnlyList<JsonObject> Render(string broker, string autoscaling = "{ engine: keda, minReplicas: 0, maxReplicas: 30, targetDepthPerReplica: 50, activationDepth: 3, pollingInterval: 15s, scaleDownStabilization: 2m, maxScaleUpStep: 6 }") =>
        ScaledObjectRenderer.Render(TestQueues.Parse($$"""
            apiVersion: celeriac.io/v1alpha1
            kind: TaskQueue
            metadata: { name: billing, namespace: shop, uid: 7d3c0000-0000-0000-0000-000000000001 }
            spec:
              image: registry.example.com/billing:1.0
              broker: {{broker}}
              queues: [ { name: bulk, priority: 1 }, { name: urgent, priority: 10 } ]
              pools:
                - { name: general, queues: [bulk, urgent], resources: { limits: { memory: 1Gi } }, autoscaling: {{autoscaling}} }
                - { name: fixed, queues: [bulk], resources: { limits: { memory: 1Gi } }, autoscaling: { minReplicas: 1 } }
            """));

    private static JsonObject Single(IReadOnlyList<JsonObject> objects, string kind) => Assert.Single(objects, o => o["kind"]!.GetValue<string>() == kind);

    private static string Meta(JsonNode trigger, string key) => trigger["metadata"]![key]!.GetValue<string>();

    [Fact]
    public void The_scaled_object_targets_the_pools_deployment_with_its_bounds_windows_and_step()
    {
        var scaled = Single(Render("{ sqs: { region: eu-west-1, queueUrlPrefix: 'https://sqs.eu-west-1.amazonaws.com/1/billing-' } }"), "ScaledObject");
        Assert.Equal("keda.sh/v1alpha1", scaled["apiVersion"]!.GetValue<string>());
        Assert.Equal("billing-general", scaled["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("7d3c0000-0000-0000-0000-000000000001", scaled["metadata"]!["ownerReferences"]![0]!["uid"]!.GetValue<string>());
        var spec = scaled["spec"]!;
        Assert.Equal("""{"apiVersion":"apps/v1","kind":"Deployment","name":"billing-general"}""", spec["scaleTargetRef"]!.ToJsonString());
        Assert.Equal(15, spec["pollingInterval"]!.GetValue<int>());
        Assert.Equal(120, spec["cooldownPeriod"]!.GetValue<int>());
        Assert.Equal(0, spec["minReplicaCount"]!.GetValue<int>());
        Assert.Equal(30, spec["maxReplicaCount"]!.GetValue<int>());
        var behavior = spec["advanced"]!["horizontalPodAutoscalerConfig"]!["behavior"]!;
        Assert.Equal(120, behavior["scaleDown"]!["stabilizationWindowSeconds"]!.GetValue<int>());
        Assert.Equal("""{"type":"Pods","value":6,"periodSeconds":15}""", behavior["scaleUp"]!["policies"]![0]!.ToJsonString());
        // One trigger per served queue, highest priority first; the builtin pool gets none.
        Assert.Equal(["urgent", "bulk"], spec["triggers"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
    }

    [Fact]
    public void Sqs_uses_the_workers_queue_urls_and_their_secret_or_keda_own_identity()
    {
        var withSecret = Render("{ sqs: { region: eu-west-1, queueUrlPrefix: 'https://sqs.eu-west-1.amazonaws.com/1/billing-', credentialsSecretRef: { name: aws } } }");
        var trigger = Single(withSecret, "ScaledObject")["spec"]!["triggers"]![1]!;
        Assert.Equal("aws-sqs-queue", trigger["type"]!.GetValue<string>());
        Assert.Equal("https://sqs.eu-west-1.amazonaws.com/1/billing-bulk", Meta(trigger, "queueURL"));
        Assert.Equal("50", Meta(trigger, "queueLength"));
        Assert.Equal("3", Meta(trigger, "activationQueueLength"));
        Assert.Equal("eu-west-1", Meta(trigger, "awsRegion"));
        Assert.Equal("true", Meta(trigger, "scaleOnInFlight"));
        Assert.Equal("pod", Meta(trigger, "identityOwner"));
        Assert.Equal("billing-general-broker", trigger["authenticationRef"]!["name"]!.GetValue<string>());
        var auth = Single(withSecret, "TriggerAuthentication");
        Assert.Equal("billing-general-broker", auth["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("""[{"parameter":"awsAccessKeyID","name":"aws","key":"accessKeyId"},{"parameter":"awsSecretAccessKey","name":"aws","key":"secretAccessKey"}]""",
            auth["spec"]!["secretTargetRef"]!.ToJsonString());

        var podIdentity = Render("{ sqs: { region: eu-west-1, queueUrlPrefix: 'https://sqs.eu-west-1.amazonaws.com/1/billing-' } }", "{ engine: keda, countInFlight: false }");
        var own = Single(podIdentity, "ScaledObject")["spec"]!["triggers"]![0]!;
        Assert.Equal("operator", Meta(own, "identityOwner"));
        Assert.Equal("false", Meta(own, "scaleOnInFlight"));
        Assert.Null(own["authenticationRef"]);
        Assert.DoesNotContain(podIdentity, o => o["kind"]!.GetValue<string>() == "TriggerAuthentication");
    }

    [Fact]
    public void Redis_scales_on_the_lag_of_celeriacs_stream_and_consumer_group()
    {
        var objects = Render("{ redis: { address: 'redis.shop:6379', tls: true, keyPrefix: billing, passwordSecretRef: { name: redis, key: password } } }");
        var trigger = Single(objects, "ScaledObject")["spec"]!["triggers"]![0]!;
        Assert.Equal("redis-streams", trigger["type"]!.GetValue<string>());
        Assert.Equal("redis.shop:6379", Meta(trigger, "address"));
        Assert.Equal("billing:{urgent}:stream", Meta(trigger, "stream"));
        Assert.Equal("celeriac", Meta(trigger, "consumerGroup"));
        Assert.Equal("50", Meta(trigger, "lagCount"));
        Assert.Equal("3", Meta(trigger, "activationLagCount"));
        Assert.Equal("true", Meta(trigger, "enableTLS"));
        Assert.Equal("""[{"parameter":"password","name":"redis","key":"password"}]""", Single(objects, "TriggerAuthentication")["spec"]!["secretTargetRef"]!.ToJsonString());
    }

    [Fact]
    public void Service_bus_uses_the_connection_string_secret_or_workload_identity()
    {
        var withSecret = Render("{ serviceBus: { connectionStringSecretRef: { name: sb, key: connection } } }");
        var trigger = Single(withSecret, "ScaledObject")["spec"]!["triggers"]![1]!;
        Assert.Equal("azure-servicebus", trigger["type"]!.GetValue<string>());
        Assert.Equal("bulk", Meta(trigger, "queueName"));
        Assert.Equal("50", Meta(trigger, "messageCount"));
        Assert.Equal("3", Meta(trigger, "activationMessageCount"));
        Assert.Equal("""[{"parameter":"connection","name":"sb","key":"connection"}]""", Single(withSecret, "TriggerAuthentication")["spec"]!["secretTargetRef"]!.ToJsonString());

        var workload = Render("{ serviceBus: { fullyQualifiedNamespace: billing-bus.servicebus.windows.net } }");
        Assert.Equal("billing-bus", Meta(Single(workload, "ScaledObject")["spec"]!["triggers"]![0]!, "namespace"));
        Assert.Equal("""{"podIdentity":{"provider":"azure-workload"}}""", Single(workload, "TriggerAuthentication")["spec"]!.ToJsonString());
    }

    [Fact]
    public void Every_rendered_kind_is_a_resource_the_operator_knows()
    {
        foreach (var obj in Render("{ sqs: { region: eu-west-1, queueUrlPrefix: 'https://x/1/', credentialsSecretRef: { name: aws } } }"))
            Assert.Equal("keda.sh", ResourceTypes.ForKind(obj["apiVersion"]!.GetValue<string>(), obj["kind"]!.GetValue<string>()).Group);
    }
}
