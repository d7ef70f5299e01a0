using System.Text.Json.Nodes;
using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;

namespace Celeriac.Operator.Tests;

public sealed class RenderingTests
{
    private static readonly RenderOptions Options = new();

    private static JsonObject Deployment(TaskQueue? queue = null, int pool = 0)
    {
        queue ??= TestQueues.Parse();
        return TaskQueueRenderer.Deployment(queue, queue.Spec.Pools[pool], Options);
    }

    private static JsonObject Container(JsonObject deployment) => deployment["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();

    private static Dictionary<string, JsonNode?> Env(JsonObject deployment) =>
        Container(deployment)["env"]!.AsArray().ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"] ?? e!["valueFrom"]);

    private static string? EnvValue(JsonObject deployment, string name) => Env(deployment).GetValueOrDefault(name)?.GetValue<string>();

    [Fact]
    public void Renders_a_deployment_pdb_and_service_per_pool_and_a_service_monitor_only_when_asked()
    {
        var queue = TestQueues.Parse();
        var plain = TaskQueueRenderer.Render(queue, Options);
        Assert.Equal(["Deployment", "PodDisruptionBudget", "Service", "Deployment", "PodDisruptionBudget", "Service"],
            plain.Select(o => o["kind"]!.GetValue<string>()));
        var monitored = TaskQueueRenderer.Render(queue, Options with { ServiceMonitors = true });
        Assert.Equal(2, monitored.Count(o => o["kind"]!.GetValue<string>() == "ServiceMonitor"));
        Assert.Equal("monitoring.coreos.com/v1", monitored.First(o => o["kind"]!.GetValue<string>() == "ServiceMonitor")["apiVersion"]!.GetValue<string>());
    }

    [Fact]
    public void Pod_labels_and_annotations_reach_the_pod_template_but_never_replace_the_operators_labels()
    {
        var queue = TestQueues.Parse(TestQueues.Sample.Replace("  serviceAccountName: billing-sa\n",
            "  serviceAccountName: billing-sa\n  podLabels: { azure.workload.identity/use: \"true\", app.kubernetes.io/component: mine }\n  podAnnotations: { sidecar.istio.io/inject: \"false\" }\n", StringComparison.Ordinal));
        var template = Deployment(queue)["spec"]!["template"]!["metadata"]!;
        Assert.Equal("true", template["labels"]!["azure.workload.identity/use"]!.GetValue<string>());
        Assert.Equal("worker", template["labels"]!["app.kubernetes.io/component"]!.GetValue<string>());
        Assert.Equal("false", template["annotations"]!["sidecar.istio.io/inject"]!.GetValue<string>());
        // The selector is unchanged, so adding a pod label never orphans the existing pods.
        Assert.True(JsonNode.DeepEquals(Deployment()["spec"]!["selector"], Deployment(queue)["spec"]!["selector"]));
        Assert.Null(Deployment()["spec"]!["template"]!["metadata"]!["annotations"]);
    }

    [Fact]
    public void Names_namespace_labels_selector_and_owner_reference()
    {
        var deployment = Deployment();
        var metadata = deployment["metadata"]!;
        Assert.Equal("billing-general", metadata["name"]!.GetValue<string>());
        Assert.Equal("shop", metadata["namespace"]!.GetValue<string>());
        var labels = metadata["labels"]!.AsObject();
        Assert.Equal("celeriac-worker", labels["app.kubernetes.io/name"]!.GetValue<string>());
        Assert.Equal("billing-general", labels["app.kubernetes.io/instance"]!.GetValue<string>());
        Assert.Equal("worker", labels["app.kubernetes.io/component"]!.GetValue<string>());
        Assert.Equal("celeriac", labels["app.kubernetes.io/part-of"]!.GetValue<string>());
        Assert.Equal("celeriac-operator", labels["app.kubernetes.io/managed-by"]!.GetValue<string>());
        Assert.Equal("billing", labels["celeriac.io/taskqueue"]!.GetValue<string>());
        Assert.Equal("general", labels["celeriac.io/pool"]!.GetValue<string>());
        var selector = deployment["spec"]!["selector"]!["matchLabels"]!.AsObject();
        Assert.Equal(2, selector.Count);
        Assert.True(JsonNode.DeepEquals(labels, deployment["spec"]!["template"]!["metadata"]!["labels"]));
        var owner = metadata["ownerReferences"]![0]!;
        Assert.Equal("celeriac.io/v1alpha1", owner["apiVersion"]!.GetValue<string>());
        Assert.Equal("TaskQueue", owner["kind"]!.GetValue<string>());
        Assert.Equal("billing", owner["name"]!.GetValue<string>());
        Assert.Equal("7d3c0000-0000-0000-0000-000000000001", owner["uid"]!.GetValue<string>());
        Assert.True(owner["controller"]!.GetValue<bool>());
        Assert.True(owner["blockOwnerDeletion"]!.GetValue<bool>());
    }

    [Fact]
    public void The_worker_learns_its_pods_name_from_the_downward_api_so_the_registry_matches_it_to_the_pod()
    {
        var variable = ContainerEnv(Deployment()).Single(v => v!["name"]!.GetValue<string>() == Celeriac.Registry.WorkerIdentity.PodNameVariable)!;
        Assert.Equal("metadata.name", variable["valueFrom"]!["fieldRef"]!["fieldPath"]!.GetValue<string>());
        Assert.Null(variable["value"]);
    }

    private static JsonArray ContainerEnv(JsonObject deployment) => Container(deployment)["env"]!.AsArray();

    [Fact]
    public void Does_not_set_replicas_so_the_autoscaler_owns_them()
    {
        Assert.Null(Deployment()["spec"]!["replicas"]);
    }

    [Fact]
    public void Image_pull_policy_secrets_args_service_account()
    {
        var deployment = Deployment();
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = Container(deployment);
        Assert.Equal("registry.example.com/billing:1.0", container["image"]!.GetValue<string>());
        Assert.Equal("IfNotPresent", container["imagePullPolicy"]!.GetValue<string>());
        Assert.Equal(["--verbose"], container["args"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal("regcred", pod["imagePullSecrets"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("billing-sa", pod["serviceAccountName"]!.GetValue<string>());
        Assert.False(pod["automountServiceAccountToken"]!.GetValue<bool>());
    }

    [Fact]
    public void Queues_are_declared_and_served_highest_priority_first()
    {
        var deployment = Deployment();
        Assert.Equal("urgent", EnvValue(deployment, "Celeriac__Queues__0__Name"));
        Assert.Equal("10", EnvValue(deployment, "Celeriac__Queues__0__Priority"));
        Assert.Equal("default", EnvValue(deployment, "Celeriac__Queues__1__Name"));
        Assert.Equal("bulk", EnvValue(deployment, "Celeriac__Queues__2__Name"));
        Assert.Equal("1", EnvValue(deployment, "Celeriac__Queues__2__Priority"));
        Assert.Equal("urgent", EnvValue(deployment, "Celeriac__Worker__Queues__0"));
        Assert.Equal("default", EnvValue(deployment, "Celeriac__Worker__Queues__1"));
        Assert.Equal("bulk", EnvValue(deployment, "Celeriac__Worker__Queues__2"));
        var urgentPool = Deployment(pool: 1);
        Assert.Equal("urgent", EnvValue(urgentPool, "Celeriac__Worker__Queues__0"));
        Assert.False(Env(urgentPool).ContainsKey("Celeriac__Worker__Queues__1"));
    }

    [Fact]
    public void Concurrency_defaults_to_the_workers_default_when_unset()
    {
        Assert.Equal("16", EnvValue(Deployment(), "Celeriac__Worker__Concurrency"));
        Assert.Equal("8", EnvValue(Deployment(pool: 1), "Celeriac__Worker__Concurrency"));
    }

    [Fact]
    public void Memory_ceiling_is_a_share_of_the_memory_limit()
    {
        Assert.Equal("870", EnvValue(Deployment(), "Celeriac__Worker__MemoryCeilingMb")); // 85% of 1024 MiB
        Assert.Equal("409", EnvValue(Deployment(pool: 1), "Celeriac__Worker__MemoryCeilingMb")); // 80% of 512 MiB
    }

    [Theory]
    [InlineData("1Gi", 85, 870)]
    [InlineData("1G", 85, 810)]
    [InlineData("2048Mi", 50, 1024)]
    [InlineData("536870912", 85, 435)]
    [InlineData("1.5Gi", 90, 1382)]
    public void Memory_ceiling_parses_kubernetes_quantities(string limit, int percent, int expected)
    {
        var pool = new PoolSpec { Name = "p", Queues = ["q"], MemoryCeilingPercent = percent, Resources = new PoolResources { Limits = new() { ["memory"] = limit } } };
        Assert.Equal(expected, TaskQueueRenderer.MemoryCeilingMb(pool));
    }

    [Fact]
    public void Shutdown_grace_and_termination_grace_period_outlast_the_longest_hard_limit()
    {
        var general = Deployment();
        Assert.Equal("00:00:40", EnvValue(general, "Celeriac__Worker__ShutdownGrace"));
        // 40 s grace + 2 min longest hard limit + 10 s margin.
        Assert.Equal(170, general["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"]!.GetValue<long>());
        var urgent = Deployment(pool: 1);
        Assert.Equal("00:00:25", EnvValue(urgent, "Celeriac__Worker__ShutdownGrace"));
        Assert.Equal(155, urgent["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"]!.GetValue<long>());
    }

    [Fact]
    public void Task_policies_become_configuration_with_timespan_strings()
    {
        var deployment = Deployment();
        Assert.Equal("5", EnvValue(deployment, "Celeriac__Tasks__emails.send__MaxRetries"));
        Assert.Equal("00:00:20", EnvValue(deployment, "Celeriac__Tasks__emails.send__SoftTimeLimit"));
        Assert.Equal("00:00:30", EnvValue(deployment, "Celeriac__Tasks__emails.send__HardTimeLimit"));
        Assert.Equal("01:00:00", EnvValue(deployment, "Celeriac__Tasks__emails.send__Expires"));
        Assert.Equal("70/s", EnvValue(deployment, "Celeriac__Tasks__emails.send__RateLimit"));
        Assert.Equal("00:02:00", EnvValue(deployment, "Celeriac__Tasks__reports.build__HardTimeLimit"));
        Assert.False(Env(deployment).ContainsKey("Celeriac__Tasks__reports.build__MaxRetries"));
    }

    [Fact]
    public void Routes_reach_every_pool_in_the_specs_order_with_dotted_names_as_values()
    {
        var queue = TestQueues.Parse();
        queue.Spec.Routes = [new RouteSpec { Pattern = "emails.*", Queue = "urgent" }, new RouteSpec { Pattern = "reports.build", Queue = "bulk" }];
        for (var pool = 0; pool < queue.Spec.Pools.Count; pool++)
        {
            var env = Env(Deployment(queue, pool));
            Assert.Equal(
                [("Celeriac__Routes__0__Pattern", "emails.*"), ("Celeriac__Routes__0__Queue", "urgent"),
                 ("Celeriac__Routes__1__Pattern", "reports.build"), ("Celeriac__Routes__1__Queue", "bulk")],
                env.Where(e => e.Key.StartsWith("Celeriac__Routes__", StringComparison.Ordinal)).Select(e => (e.Key, e.Value!.GetValue<string>())));
        }
        Assert.DoesNotContain(Env(Deployment()).Keys, k => k.StartsWith("Celeriac__Routes", StringComparison.Ordinal));
    }

    [Fact]
    public void Task_assemblies_are_indexed()
    {
        var deployment = Deployment();
        Assert.Equal("/app/Billing.Tasks.dll", EnvValue(deployment, "Celeriac__Worker__TaskAssemblies__0"));
        Assert.Equal("/app/Shared.Tasks.dll", EnvValue(deployment, "Celeriac__Worker__TaskAssemblies__1"));
    }

    [Fact]
    public void Extra_env_comes_after_the_operators_and_passes_value_from_through()
    {
        var env = Container(Deployment())["env"]!.AsArray();
        var names = env.Select(e => e!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["FEATURE_X", "API_KEY"], names[^2..]);
        Assert.Equal("on", env[^2]!["value"]!.GetValue<string>());
        Assert.Equal("api", env[^1]!["valueFrom"]!["secretKeyRef"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void Sqs_broker_uses_the_pod_identity_unless_a_secret_is_named()
    {
        var deployment = Deployment();
        Assert.Equal("sqs", EnvValue(deployment, "Celeriac__Broker__Type"));
        Assert.Equal("eu-west-1", EnvValue(deployment, "Celeriac__Broker__Sqs__Region"));
        Assert.Equal("https://sqs.eu-west-1.amazonaws.com/1/billing-", EnvValue(deployment, "Celeriac__Broker__Sqs__QueueUrlPrefix"));
        Assert.False(Env(deployment).ContainsKey("AWS_ACCESS_KEY_ID"));

        var queue = TestQueues.Parse();
        queue.Spec.Broker.Sqs!.CredentialsSecretRef = new SqsCredentialsSecretRef { Name = "aws" };
        queue.Spec.Broker.Sqs.Endpoint = "http://localstack:4566";
        var withSecret = Deployment(queue);
        Assert.Equal("aws", Env(withSecret)["AWS_ACCESS_KEY_ID"]!["secretKeyRef"]!["name"]!.GetValue<string>());
        Assert.Equal("accessKeyId", Env(withSecret)["AWS_ACCESS_KEY_ID"]!["secretKeyRef"]!["key"]!.GetValue<string>());
        Assert.Equal("secretAccessKey", Env(withSecret)["AWS_SECRET_ACCESS_KEY"]!["secretKeyRef"]!["key"]!.GetValue<string>());
        Assert.Equal("http://localstack:4566", EnvValue(withSecret, "Celeriac__Broker__Sqs__Endpoint"));
    }

    [Fact]
    public void Redis_password_comes_from_a_secret_and_is_never_inline()
    {
        var queue = TestQueues.Parse();
        queue.Spec.Broker = new BrokerSpec
        {
            Redis = new RedisBrokerSpec { Address = "redis:6379", Tls = true, KeyPrefix = "shop", PasswordSecretRef = new SecretKeyRef { Name = "redis", Key = "pw" } },
        };
        var env = Container(Deployment(queue))["env"]!.AsArray().Select(e => e!["name"]!.GetValue<string>()).ToList();
        var deployment = Deployment(queue);
        Assert.Equal("redis", EnvValue(deployment, "Celeriac__Broker__Type"));
        Assert.Equal("redis:6379,ssl=true,password=$(CELERIAC_REDIS_PASSWORD)", EnvValue(deployment, "Celeriac__Broker__Redis__ConnectionString"));
        Assert.Equal("shop", EnvValue(deployment, "Celeriac__Broker__Redis__KeyPrefix"));
        Assert.Equal("pw", Env(deployment)["CELERIAC_REDIS_PASSWORD"]!["secretKeyRef"]!["key"]!.GetValue<string>());
        // $(VAR) expands only from variables defined earlier in the list.
        Assert.True(env.IndexOf("CELERIAC_REDIS_PASSWORD") < env.IndexOf("Celeriac__Broker__Redis__ConnectionString"));

        queue.Spec.Broker.Redis = new RedisBrokerSpec { ConnectionStringSecretRef = new SecretKeyRef { Name = "redis", Key = "cs" } };
        Assert.Equal("cs", Env(Deployment(queue))["Celeriac__Broker__Redis__ConnectionString"]!["secretKeyRef"]!["key"]!.GetValue<string>());
    }

    [Fact]
    public void A_redis_store_next_to_sqs_is_rendered_with_its_own_password_variable()
    {
        var queue = TestQueues.Parse();
        queue.Spec.Broker = new BrokerSpec { Sqs = new SqsBrokerSpec { Region = "eu-west-1", QueueUrlPrefix = "https://sqs.eu-west-1.amazonaws.com/1/billing-" } };
        Assert.Null(EnvValue(Deployment(queue), "Celeriac__Store__Type"));

        queue.Spec.Store = new StoreSpec
        {
            Redis = new RedisBrokerSpec { Address = "store:6379", Tls = true, KeyPrefix = "billing", PasswordSecretRef = new SecretKeyRef { Name = "store", Key = "pw" } },
        };
        var deployment = Deployment(queue);
        var env = Container(deployment)["env"]!.AsArray().Select(e => e!["name"]!.GetValue<string>()).ToList();
        Assert.Equal("sqs", EnvValue(deployment, "Celeriac__Broker__Type"));
        Assert.Equal("redis", EnvValue(deployment, "Celeriac__Store__Type"));
        Assert.Equal("store:6379,ssl=true,password=$(CELERIAC_STORE_REDIS_PASSWORD)", EnvValue(deployment, "Celeriac__Store__Redis__ConnectionString"));
        Assert.Equal("billing", EnvValue(deployment, "Celeriac__Store__Redis__KeyPrefix"));
        Assert.Equal("store", Env(deployment)["CELERIAC_STORE_REDIS_PASSWORD"]!["secretKeyRef"]!["name"]!.GetValue<string>());
        Assert.DoesNotContain("CELERIAC_REDIS_PASSWORD", env);
        Assert.True(env.IndexOf("CELERIAC_STORE_REDIS_PASSWORD") < env.IndexOf("Celeriac__Store__Redis__ConnectionString"));

        queue.Spec.Store.Redis = new RedisBrokerSpec { ConnectionStringSecretRef = new SecretKeyRef { Name = "store", Key = "cs" } };
        Assert.Equal("cs", Env(Deployment(queue))["Celeriac__Store__Redis__ConnectionString"]!["secretKeyRef"]!["key"]!.GetValue<string>());
    }

    [Fact]
    public void Service_bus_by_workload_identity_or_connection_string_secret()
    {
        var queue = TestQueues.Parse();
        queue.Spec.Broker = new BrokerSpec { ServiceBus = new ServiceBusBrokerSpec { FullyQualifiedNamespace = "ns.servicebus.windows.net" } };
        Assert.Equal(Celeriac.Hosting.BrokerSelection.ServiceBus, EnvValue(Deployment(queue), "Celeriac__Broker__Type"));
        Assert.Equal("ns.servicebus.windows.net", EnvValue(Deployment(queue), "Celeriac__Broker__ServiceBus__FullyQualifiedNamespace"));
        queue.Spec.Broker.ServiceBus = new ServiceBusBrokerSpec { ConnectionStringSecretRef = new SecretKeyRef { Name = "sb", Key = "cs" } };
        Assert.Equal("sb", Env(Deployment(queue))["Celeriac__Broker__ServiceBus__ConnectionString"]!["secretKeyRef"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void Resources_are_copied_with_quantities_as_strings()
    {
        var resources = Container(Deployment())["resources"]!;
        Assert.Equal("250m", resources["requests"]!["cpu"]!.GetValue<string>());
        Assert.Equal("256Mi", resources["requests"]!["memory"]!.GetValue<string>());
        Assert.Equal("1Gi", resources["limits"]!["memory"]!.GetValue<string>());
        Assert.Equal("2", resources["limits"]!["cpu"]!.GetValue<string>());
        Assert.Null(Container(Deployment(pool: 1))["resources"]!["requests"]);
    }

    [Fact]
    public void Probes_and_port()
    {
        var container = Container(Deployment());
        Assert.Equal(8080, container["ports"]![0]!["containerPort"]!.GetValue<int>());
        Assert.Equal("http", container["ports"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("/healthz", container["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("/readyz", container["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("/healthz", container["startupProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("http", container["readinessProbe"]!["httpGet"]!["port"]!.GetValue<string>());
    }

    [Fact]
    public void Security_context_is_hardened()
    {
        var deployment = Deployment();
        var container = Container(deployment)["securityContext"]!;
        Assert.False(container["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.True(container["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.True(container["runAsNonRoot"]!.GetValue<bool>());
        Assert.Equal(["ALL"], container["capabilities"]!["drop"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal("RuntimeDefault", container["seccompProfile"]!["type"]!.GetValue<string>());
        var pod = deployment["spec"]!["template"]!["spec"]!["securityContext"]!;
        Assert.True(pod["runAsNonRoot"]!.GetValue<bool>());
        Assert.Equal("RuntimeDefault", pod["seccompProfile"]!["type"]!.GetValue<string>());
        Assert.Equal("/tmp", Container(deployment)["volumeMounts"]![0]!["mountPath"]!.GetValue<string>());
    }

    [Fact]
    public void Node_selector_and_tolerations_only_where_set()
    {
        var pod = Deployment()["spec"]!["template"]!["spec"]!;
        Assert.Equal("workers", pod["nodeSelector"]!["pool"]!.GetValue<string>());
        var toleration = pod["tolerations"]![0]!;
        Assert.Equal("dedicated", toleration["key"]!.GetValue<string>());
        Assert.Equal("Equal", toleration["operator"]!.GetValue<string>());
        Assert.Equal("NoSchedule", toleration["effect"]!.GetValue<string>());
        var urgent = Deployment(pool: 1)["spec"]!["template"]!["spec"]!;
        Assert.Null(urgent["nodeSelector"]);
        Assert.Null(urgent["tolerations"]);
    }

    [Fact]
    public void Pdb_service_and_service_monitor_select_the_pool()
    {
        var queue = TestQueues.Parse();
        var pool = queue.Spec.Pools[0];
        var pdb = TaskQueueRenderer.PodDisruptionBudget(queue, pool);
        Assert.Equal(1, pdb["spec"]!["maxUnavailable"]!.GetValue<int>());
        Assert.Equal("general", pdb["spec"]!["selector"]!["matchLabels"]!["celeriac.io/pool"]!.GetValue<string>());
        var service = TaskQueueRenderer.MetricsService(queue, pool, Options);
        Assert.Equal("billing-general-metrics", service["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("metrics", service["spec"]!["ports"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("http", service["spec"]!["ports"]![0]!["targetPort"]!.GetValue<string>());
        Assert.Equal("general", service["spec"]!["selector"]!["celeriac.io/pool"]!.GetValue<string>());
        var monitor = TaskQueueRenderer.ServiceMonitor(queue, pool);
        Assert.Equal("/metrics", monitor["spec"]!["endpoints"]![0]!["path"]!.GetValue<string>());
        Assert.Equal("metrics", monitor["spec"]!["endpoints"]![0]!["port"]!.GetValue<string>());
    }

    [Fact]
    public void Rendering_is_a_pure_function_of_the_spec()
    {
        var a = TaskQueueRenderer.Render(TestQueues.Parse(), Options);
        var b = TaskQueueRenderer.Render(TestQueues.Parse(), Options);
        Assert.True(a.Zip(b).All(p => JsonNode.DeepEquals(p.First, p.Second)));
    }

    [Fact]
    public void Offline_render_prints_every_object_of_every_example_as_yaml()
    {
        var yaml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "taskqueue-sqs.yaml"));
        var (output, errors) = OfflineRenderer.Render(yaml, Options);
        Assert.Empty(errors);
        var documents = Celeriac.Operator.Yaml.YamlJson.ParseDocuments(output!);
        Assert.Equal(6, documents.Count);
        var expected = TaskQueueRenderer.Render(Celeriac.Operator.Model.ModelJson.ToTaskQueue(Celeriac.Operator.Yaml.YamlJson.ParseSingle(yaml)), Options);
        Assert.True(documents.Zip(expected).All(p => JsonNode.DeepEquals(p.First, p.Second)), "the YAML printed is not the objects rendered");
    }

    [Fact]
    public void Offline_render_reports_an_invalid_spec_instead_of_printing()
    {
        var yaml = TestQueues.Sample.Replace("queues: [urgent]\n", "queues: [missing]\n", StringComparison.Ordinal);
        var (output, errors) = OfflineRenderer.Render(yaml, Options);
        Assert.Null(output);
        Assert.Contains(errors, e => e.Contains("'missing' is not declared", StringComparison.Ordinal));
    }
}
