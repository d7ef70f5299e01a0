using System.Text.Json.Nodes;
using Celeriac.Operator.Autoscaling;
using Celeriac.Operator.Autoscaling.Keda;
using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;
using Celeriac.Operator.Validation;

namespace Celeriac.Operator.Tests;

/// <summary>Queues with protocol celery: what the validator refuses, what the workers get, and what KEDA watches.</summary>
public sealed class CeleryQueueTests
{
    private static TaskQueue Queue(string broker, string celery = "") => TestQueues.Parse($$"""
        apiVersion: celeriac.io/v1alpha1
        kind: TaskQueue
        metadata: { name: invoices, namespace: billing, uid: 7d3c0000-0000-0000-0000-000000000002 }
        spec:
          image: registry.example.com/invoices:1.0
          broker: {{broker}}
          {{celery}}
          queues: [ { name: invoices-dotnet, protocol: celery }, { name: own, priority: 5 } ]
          pools:
            - { name: general, queues: [invoices-dotnet, own], resources: { limits: { memory: 1Gi } },
                autoscaling: { engine: keda, minReplicas: 0, maxReplicas: 10, targetDepthPerReplica: 20, activationDepth: 2 } }
        """);

    private const string Redis = "{ redis: { address: 'redis:6379', tls: true, passwordSecretRef: { name: redis, key: pw } } }";

    private static Dictionary<string, JsonNode?> Env(TaskQueue queue) =>
        TaskQueueRenderer.Deployment(queue, queue.Spec.Pools[0], new RenderOptions())["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray()
            .ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"] ?? e["valueFrom"]);

    [Fact]
    public void Celery_queues_and_kombus_settings_reach_the_workers_with_the_result_backends_password_from_a_secret()
    {
        var queue = Queue(Redis, """
            celery: { keyPrefix: "k:", visibilityTimeout: 2h, defaultQueue: py, resultBackend: { address: 'results:6379', database: 1, passwordSecretRef: { name: results, key: pw } } }
            """);

        var env = Env(queue);

        Assert.Empty(TaskQueueValidator.Validate(queue));
        // Declared highest priority first: own (5) is queue 0, the Celery queue (0) is queue 1.
        Assert.Equal("invoices-dotnet", env["Celeriac__Queues__1__Name"]!.GetValue<string>());
        Assert.Equal("celery", env["Celeriac__Queues__1__Protocol"]!.GetValue<string>());
        Assert.False(env.ContainsKey("Celeriac__Queues__0__Protocol"));
        Assert.Equal("k:", env["Celeriac__Celery__Redis__KeyPrefix"]!.GetValue<string>());
        Assert.Equal("02:00:00", env["Celeriac__Celery__Redis__VisibilityTimeout"]!.GetValue<string>());
        Assert.Equal("py", env["Celeriac__Celery__DefaultQueue"]!.GetValue<string>());
        Assert.Equal("results:6379,defaultDatabase=1,password=$(CELERIAC_CELERY_RESULTS_PASSWORD)", env["Celeriac__Celery__ResultBackend__ConnectionString"]!.GetValue<string>());
        Assert.Equal("results", env["CELERIAC_CELERY_RESULTS_PASSWORD"]!["secretKeyRef"]!["name"]!.GetValue<string>());
        var names = env.Keys.ToList();
        Assert.True(names.IndexOf("CELERIAC_CELERY_RESULTS_PASSWORD") < names.IndexOf("Celeriac__Celery__ResultBackend__ConnectionString"));
    }

    [Fact]
    public void Settings_the_spec_states_are_rendered_even_when_they_equal_the_workers_defaults()
    {
        // What the spec says stays in the Deployment as written, so a spec that spells out a default renders as it did.
        var queue = Queue("{ redis: { address: 'redis:6379', keyPrefix: celeriac } }", "celery: { visibilityTimeout: 1h, defaultQueue: celery }");

        var env = Env(queue);

        Assert.Equal("celeriac", env["Celeriac__Broker__Redis__KeyPrefix"]!.GetValue<string>());
        Assert.Equal("01:00:00", env["Celeriac__Celery__Redis__VisibilityTimeout"]!.GetValue<string>());
        Assert.Equal("celery", env["Celeriac__Celery__DefaultQueue"]!.GetValue<string>());
        Assert.False(env.ContainsKey("Celeriac__Celery__Redis__KeyPrefix"));
    }

    [Fact]
    public void Without_a_celery_queue_nothing_of_celery_is_rendered()
    {
        var queue = Queue(Redis, "celery: { keyPrefix: 'k:' }");
        queue.Spec.Queues[0].Protocol = Celeriac.Hosting.QueueProtocols.Celeriac;

        Assert.DoesNotContain(Env(queue).Keys, k => k.Contains("Celery", StringComparison.Ordinal) || k.EndsWith("__Protocol", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{ serviceBus: { fullyQualifiedNamespace: bus.servicebus.windows.net } }", "", "protocol celery needs a redis or sqs broker")]
    [InlineData(Redis, "celery: { visibilityTimeout: forever }", "spec.celery.visibilityTimeout: 'forever' does not match")]
    [InlineData(Redis, "celery: { resultBackend: { address: 'r:6379', connectionStringSecretRef: { name: r, key: cs } } }", "set either address or connectionStringSecretRef")]
    [InlineData(Redis, "celery: { resultBackend: { database: 2, connectionStringSecretRef: { name: r, key: cs } } }", "database go with address")]
    public void The_validator_refuses_what_cannot_work(string broker, string celery, string error) =>
        Assert.Contains(TaskQueueValidator.Validate(Queue(broker, celery)), e => e.Contains(error, StringComparison.Ordinal));

    [Fact]
    public void An_unknown_protocol_is_refused()
    {
        var queue = Queue(Redis);
        queue.Spec.Queues[0].Protocol = "amqp";

        Assert.Contains(TaskQueueValidator.Validate(queue), e => e.StartsWith("spec.queues[0].protocol: 'amqp' is not one of", StringComparison.Ordinal));
    }

    [Fact]
    public void KEDA_watches_kombus_list_on_Redis_and_kombus_queue_on_SQS()
    {
        var redis = Queue(Redis, "celery: { keyPrefix: 'k:' }");
        var list = KedaTriggers.For(redis.Spec.Broker).Trigger(redis.Spec, "invoices-dotnet", new ScalingPolicy { TargetDepthPerReplica = 20, ActivationDepth = 2 }, null);
        Assert.Equal("redis", list["type"]!.GetValue<string>());
        Assert.Equal("k:invoices-dotnet", list["metadata"]!["listName"]!.GetValue<string>());
        Assert.Equal(("20", "2", "true"), (list["metadata"]!["listLength"]!.GetValue<string>(), list["metadata"]!["activationListLength"]!.GetValue<string>(), list["metadata"]!["enableTLS"]!.GetValue<string>()));
        var own = KedaTriggers.For(redis.Spec.Broker).Trigger(redis.Spec, "own", new ScalingPolicy(), null);
        Assert.Equal("redis-streams", own["type"]!.GetValue<string>());

        var sqs = Queue("{ sqs: { region: eu-west-1, queueUrlPrefix: 'https://sqs.eu-west-1.amazonaws.com/1/billing-' } }", "celery: { queueNamePrefix: 'prod.' }");
        var queueUrl = KedaTriggers.For(sqs.Spec.Broker).Trigger(sqs.Spec, "invoices-dotnet", new ScalingPolicy(), null)["metadata"]!["queueURL"]!.GetValue<string>();
        Assert.Equal("https://sqs.eu-west-1.amazonaws.com/1/prod-invoices-dotnet", queueUrl);
    }
}
