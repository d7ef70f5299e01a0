using System.Text.Json.Nodes;
using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;

namespace Celeriac.Operator.Autoscaling.Keda;

/// <summary>
/// keda mode, as a pure function of the spec: per pool with <c>autoscaling.engine: keda</c>, a <c>keda.sh/v1alpha1</c>
/// ScaledObject on the pool's Deployment with the pool's bounds and windows and one trigger per served queue, and a
/// TriggerAuthentication when the broker's credentials must be passed to KEDA. The operator then does not scale that pool.
/// </summary>
public static class ScaledObjectRenderer
{
    public const string ApiVersion = "keda.sh/v1alpha1";

    public static bool UsesKeda(PoolSpec pool) => pool.Autoscaling?.Engine == AutoscalingSpec.KedaEngine;

    public static IReadOnlyList<JsonObject> Render(TaskQueue queue)
    {
        var objects = new List<JsonObject>();
        foreach (var pool in queue.Spec.Pools.Where(UsesKeda))
        {
            var policy = ScalingPolicy.From(pool);
            var trigger = KedaTriggers.For(queue.Spec.Broker);
            var name = TaskQueueRenderer.ObjectName(queue, pool);
            string? authentication = null;
            if (trigger.Authentication(queue.Spec) is { } authSpec)
            {
                authentication = name + "-broker";
                objects.Add(new JsonObject
                {
                    ["apiVersion"] = ApiVersion,
                    ["kind"] = "TriggerAuthentication",
                    ["metadata"] = TaskQueueRenderer.Metadata(queue, pool, authentication),
                    ["spec"] = authSpec,
                });
            }
            var pollingSeconds = Math.Max(1, (int)Math.Ceiling(policy.PollingInterval.TotalSeconds));
            var windowSeconds = (int)Math.Ceiling(policy.ScaleDownStabilization.TotalSeconds);
            objects.Add(new JsonObject
            {
                ["apiVersion"] = ApiVersion,
                ["kind"] = "ScaledObject",
                ["metadata"] = TaskQueueRenderer.Metadata(queue, pool, name),
                ["spec"] = new JsonObject
                {
                    ["scaleTargetRef"] = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = name },
                    ["pollingInterval"] = pollingSeconds,
                    // KEDA's window for the last replica (to and from zero); the HPA's scale-down window for the rest.
                    ["cooldownPeriod"] = windowSeconds,
                    ["minReplicaCount"] = policy.MinReplicas,
                    ["maxReplicaCount"] = policy.MaxReplicas,
                    ["advanced"] = new JsonObject
                    {
                        ["horizontalPodAutoscalerConfig"] = new JsonObject
                        {
                            ["behavior"] = new JsonObject
                            {
                                ["scaleDown"] = new JsonObject { ["stabilizationWindowSeconds"] = windowSeconds },
                                ["scaleUp"] = new JsonObject
                                {
                                    ["stabilizationWindowSeconds"] = 0,
                                    ["policies"] = new JsonArray(new JsonObject { ["type"] = "Pods", ["value"] = policy.MaxScaleUpStep, ["periodSeconds"] = pollingSeconds }),
                                },
                            },
                        },
                    },
                    ["triggers"] = new JsonArray([.. queue.Spec.QueuesOf(pool)
                        .Select(q => (JsonNode?)trigger.Trigger(queue.Spec, q, policy, authentication))]),
                },
            });
        }
        return objects;
    }
}
