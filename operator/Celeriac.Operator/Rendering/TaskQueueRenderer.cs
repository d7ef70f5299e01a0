using System.Text.Json.Nodes;
using Celeriac.Operator.Model;
using Celeriac.Operator.WorkerConfiguration;

namespace Celeriac.Operator.Rendering;

/// <summary>
/// The desired objects of a TaskQueue, as pure functions of its spec: per pool a Deployment, a
/// PodDisruptionBudget, a metrics Service and (when the CRD exists) a ServiceMonitor. The spec must
/// have passed <see cref="Validation.TaskQueueValidator"/>.
/// </summary>
public static class TaskQueueRenderer
{
    public static IReadOnlyList<JsonObject> Render(TaskQueue queue, RenderOptions options)
    {
        var objects = new List<JsonObject>();
        foreach (var pool in queue.Spec.Pools)
        {
            objects.Add(Deployment(queue, pool, options));
            objects.Add(PodDisruptionBudget(queue, pool));
            objects.Add(MetricsService(queue, pool, options));
            if (options.ServiceMonitors) objects.Add(ServiceMonitor(queue, pool));
        }
        return objects;
    }

    public static string ObjectName(TaskQueue queue, PoolSpec pool) => $"{queue.Metadata.Name}-{pool.Name}";

    public static JsonObject Deployment(TaskQueue queue, PoolSpec pool, RenderOptions options)
    {
        var grace = KubeDuration.Parse(pool.ShutdownGrace);
        var ceiling = MemoryCeilingMb(pool);
        var container = new JsonObject
        {
            ["name"] = "worker",
            ["image"] = queue.Spec.Image,
        };
        if (queue.Spec.ImagePullPolicy is { } pullPolicy) container["imagePullPolicy"] = pullPolicy;
        if (queue.Spec.Args is { Count: > 0 } args) container["args"] = new JsonArray([.. args.Select(a => (JsonNode?)a)]);
        container["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["containerPort"] = options.HttpPort, ["protocol"] = "TCP" });
        container["env"] = WorkerEnvironment.Build(queue.Spec, pool, ceiling, grace);
        container["resources"] = Resources(pool.Resources);
        container["startupProbe"] = Probe("/healthz", periodSeconds: 2, failureThreshold: 30);
        container["livenessProbe"] = Probe("/healthz", periodSeconds: 10, failureThreshold: 3);
        container["readinessProbe"] = Probe("/readyz", periodSeconds: 5, failureThreshold: 2);
        container["securityContext"] = new JsonObject
        {
            ["allowPrivilegeEscalation"] = false,
            ["readOnlyRootFilesystem"] = true,
            ["runAsNonRoot"] = true,
            ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
            ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
        };
        // .NET needs a writable temp directory once the root filesystem is read-only.
        container["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "tmp", ["mountPath"] = "/tmp" });

        var podSpec = new JsonObject();
        if (queue.Spec.ServiceAccountName is { } account) podSpec["serviceAccountName"] = account;
        // Workers do not call the Kubernetes API; cloud identity webhooks mount their own tokens.
        podSpec["automountServiceAccountToken"] = false;
        podSpec["terminationGracePeriodSeconds"] = TerminationGracePeriodSeconds(queue.Spec, grace, options);
        podSpec["securityContext"] = new JsonObject
        {
            ["runAsNonRoot"] = true,
            ["runAsUser"] = 65532,
            ["runAsGroup"] = 65532,
            ["fsGroup"] = 65532,
            ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
        };
        if (queue.Spec.ImagePullSecrets is { Count: > 0 } secrets)
            podSpec["imagePullSecrets"] = new JsonArray([.. secrets.Select(s => (JsonNode?)new JsonObject { ["name"] = s })]);
        if (pool.NodeSelector is { Count: > 0 } selector)
            podSpec["nodeSelector"] = new JsonObject([.. selector.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]);
        if (pool.Tolerations is { Count: > 0 } tolerations)
            podSpec["tolerations"] = new JsonArray([.. tolerations.Select(t => (JsonNode?)ModelJson.ToNode(t))]);
        podSpec["containers"] = new JsonArray(container);
        podSpec["volumes"] = new JsonArray(new JsonObject { ["name"] = "tmp", ["emptyDir"] = new JsonObject { ["sizeLimit"] = "256Mi" } });

        // No "replicas": the autoscaler owns it through the scale subresource, and an applied value
        // would be reset on every reconcile (server-side apply would fight the scaler).
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = Metadata(queue, pool, ObjectName(queue, pool)),
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["matchLabels"] = SelectorLabels(queue, pool) },
                ["strategy"] = new JsonObject
                {
                    ["type"] = "RollingUpdate",
                    ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = 0, ["maxSurge"] = "25%" },
                },
                ["template"] = new JsonObject
                {
                    ["metadata"] = PodMetadata(queue, pool),
                    ["spec"] = podSpec,
                },
            },
        };
    }

    public static JsonObject PodDisruptionBudget(TaskQueue queue, PoolSpec pool) => new()
    {
        ["apiVersion"] = "policy/v1",
        ["kind"] = "PodDisruptionBudget",
        ["metadata"] = Metadata(queue, pool, ObjectName(queue, pool)),
        ["spec"] = new JsonObject
        {
            // Voluntary evictions take at most one worker at a time; an evicted worker drains gracefully.
            ["maxUnavailable"] = 1,
            ["selector"] = new JsonObject { ["matchLabels"] = SelectorLabels(queue, pool) },
        },
    };

    public static JsonObject MetricsService(TaskQueue queue, PoolSpec pool, RenderOptions options) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = Metadata(queue, pool, ObjectName(queue, pool) + "-metrics"),
        ["spec"] = new JsonObject
        {
            ["type"] = "ClusterIP",
            ["clusterIP"] = "None",
            ["selector"] = SelectorLabels(queue, pool),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "metrics", ["port"] = options.HttpPort, ["targetPort"] = "http", ["protocol"] = "TCP" }),
        },
    };

    public static JsonObject ServiceMonitor(TaskQueue queue, PoolSpec pool) => new()
    {
        ["apiVersion"] = "monitoring.coreos.com/v1",
        ["kind"] = "ServiceMonitor",
        ["metadata"] = Metadata(queue, pool, ObjectName(queue, pool)),
        ["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject { ["matchLabels"] = SelectorLabels(queue, pool) },
            ["endpoints"] = new JsonArray(new JsonObject { ["port"] = "metrics", ["path"] = "/metrics", ["interval"] = "30s" }),
        },
    };

    /// <summary>The memory ceiling in MiB: a share of the container's memory limit, so the worker recycles before an OOM kill.</summary>
    public static int? MemoryCeilingMb(PoolSpec pool)
    {
        if (!pool.Resources.Limits.TryGetValue("memory", out var limit) || !Quantity.TryParse(limit, out var bytes)) return null;
        return (int)Math.Floor(bytes * pool.MemoryCeilingPercent / 100m / (1024m * 1024m));
    }

    /// <summary>Longer than the grace period plus the longest hard time limit, so a draining task is never killed by Kubernetes first.</summary>
    public static long TerminationGracePeriodSeconds(TaskQueueSpec spec, TimeSpan grace, RenderOptions options)
    {
        var longest = TimeSpan.Zero;
        foreach (var task in spec.Tasks ?? [])
        {
            if (KubeDuration.TryParse(task.TimeLimit, out var hard) && hard > longest) longest = hard;
            else if (KubeDuration.TryParse(task.SoftTimeLimit, out var soft) && soft > longest) longest = soft;
        }
        return (long)Math.Ceiling((grace + longest + options.TerminationMargin).TotalSeconds);
    }

    /// <summary>The user's pod labels and annotations (e.g. <c>azure.workload.identity/use</c>), under the operator's own labels, which win.</summary>
    private static JsonObject PodMetadata(TaskQueue queue, PoolSpec pool)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in queue.Spec.PodLabels ?? []) labels[key] = value;
        foreach (var (key, value) in Labels(queue, pool)) labels[key] = value!.DeepClone();
        var metadata = new JsonObject { ["labels"] = labels };
        if (queue.Spec.PodAnnotations is { Count: > 0 } annotations)
            metadata["annotations"] = new JsonObject(annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)JsonValue.Create(a.Value))));
        return metadata;
    }

    public static JsonObject SelectorLabels(TaskQueue queue, PoolSpec pool) => new()
    {
        [WellKnownLabels.TaskQueue] = queue.Metadata.Name,
        [WellKnownLabels.Pool] = pool.Name,
    };

    public static JsonObject Labels(TaskQueue queue, PoolSpec pool) => new()
    {
        [WellKnownLabels.Name] = WellKnownLabels.WorkerName,
        [WellKnownLabels.Instance] = ObjectName(queue, pool),
        [WellKnownLabels.Component] = "worker",
        [WellKnownLabels.PartOf] = "celeriac",
        [WellKnownLabels.ManagedBy] = WellKnownLabels.OperatorName,
        [WellKnownLabels.TaskQueue] = queue.Metadata.Name,
        [WellKnownLabels.Pool] = pool.Name,
    };

    internal static JsonObject Metadata(TaskQueue queue, PoolSpec pool, string name)
    {
        var metadata = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = queue.Metadata.Namespace ?? "default",
            ["labels"] = Labels(queue, pool),
        };
        if (queue.Metadata.Uid is { } uid)
        {
            metadata["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = TaskQueue.ApiVersionValue,
                ["kind"] = TaskQueue.KindValue,
                ["name"] = queue.Metadata.Name,
                ["uid"] = uid,
                ["controller"] = true,
                ["blockOwnerDeletion"] = true,
            });
        }
        return metadata;
    }

    private static JsonObject Resources(PoolResources resources)
    {
        static JsonObject Map(Dictionary<string, string> map) =>
            new([.. map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]);
        var result = new JsonObject();
        if (resources.Requests is { Count: > 0 } requests) result["requests"] = Map(requests);
        result["limits"] = Map(resources.Limits);
        return result;
    }

    private static JsonObject Probe(string path, int periodSeconds, int failureThreshold) => new()
    {
        ["httpGet"] = new JsonObject { ["path"] = path, ["port"] = "http" },
        ["periodSeconds"] = periodSeconds,
        ["failureThreshold"] = failureThreshold,
        ["timeoutSeconds"] = 2,
    };
}
