using System.Text.Json.Nodes;
using Celeriac.Operator.Yaml;

namespace Celeriac.Operator.Tests.Validation;

/// <summary>
/// Valid TaskQueues that, together, set every field of the CRD (fields that exclude each other are set in different
/// ones), so that a test can reach every bound and rule the CRD states.
/// </summary>
public static class FullTaskQueues
{
    private const string Spec = """
        apiVersion: celeriac.io/v1alpha1
        kind: TaskQueue
        metadata: { name: full, namespace: shop }
        spec:
          image: registry.example.com/full:1.0
          imagePullPolicy: IfNotPresent
          imagePullSecrets: [regcred]
          serviceAccountName: full-sa
          podLabels: { team: billing }
          podAnnotations: { note: "sidecar" }
          args: [--verbose]
          taskAssemblies: [/app/Full.Tasks.dll]
          broker: BROKER
          queues:
            - { name: urgent, priority: 10, protocol: celeriac }
            - { name: bulk, priority: 1 }
          pools:
            - name: general
              queues: [urgent, bulk]
              concurrency: 16
              memoryCeilingPercent: 80
              shutdownGrace: 40s
              resources: { requests: { cpu: 250m, memory: 256Mi }, limits: { memory: 1Gi, cpu: 2 } }
              autoscaling: { engine: builtin, minReplicas: 1, maxReplicas: 8, targetDepthPerReplica: 50, pollingInterval: 5s, activationDepth: 2, countInFlight: false, maxScaleUpStep: 3, scaleDownStabilization: 2m, metric: slots, targetUtilization: 75, targetQueueWait: 45s, pollingIntervalAtZero: 1s, scaleInBusyWait: 90s }
              nodeSelector: { pool: workers }
              tolerations: [ { key: dedicated, operator: Equal, value: celeriac, effect: NoExecute, tolerationSeconds: 60 } ]
              env: [ { name: FEATURE_X, value: "on" }, { name: API_KEY, valueFrom: { secretKeyRef: { name: api, key: key } } } ]
          routes:
            - { pattern: "emails.*", queue: urgent }
            - { pattern: reports.build, queue: bulk }
          tasks:
            - { name: emails.send, rateLimit: 70/s, softTimeLimit: 20s, timeLimit: 30s, maxRetries: 5, expires: 1h }
          schedules:
            - { name: nightly, task: reports.build, cron: "0 2 * * *", timeZone: Europe/Berlin, queue: bulk, args: { full: true }, expires: 1h, missedRunPolicy: RunOnce, startingDeadline: 10m, suspend: false }
            - { name: tick, task: demo.noop, interval: 30s }
        """;

    private static readonly string[] Brokers =
    [
        """
        { sqs: { region: eu-west-1, queueUrlPrefix: "https://sqs.eu-west-1.amazonaws.com/1/full-", endpoint: "http://localstack:4566", credentialsSecretRef: { name: aws, accessKeyIdKey: id, secretAccessKeyKey: secret } } }
          store: { redis: { address: "store:6379", tls: true, keyPrefix: full-store, passwordSecretRef: { name: store, key: pw } } }
          celery: { queueNamePrefix: "prod.", defaultQueue: py, resultBackend: { address: "results:6379", tls: true, database: 1, passwordSecretRef: { name: results, key: pw } } }
        """,
        """
        { redis: { connectionStringSecretRef: { name: redis, key: url }, tls: false, keyPrefix: full } }
          store: { redis: { connectionStringSecretRef: { name: store, key: url } } }
          celery: { keyPrefix: "k:", visibilityTimeout: 2h, resultBackend: { connectionStringSecretRef: { name: results, key: url } } }
        """,
        """{ redis: { address: "redis:6379", passwordSecretRef: { name: redis, key: pw } } }""",
        """{ serviceBus: { fullyQualifiedNamespace: full.servicebus.windows.net } }""",
        """{ serviceBus: { connectionStringSecretRef: { name: sb, key: cs } } }""",
    ];

    public static int Count => Brokers.Length;

    /// <summary>A fresh copy of the n-th one.</summary>
    public static JsonObject Get(int index) => YamlJson.ParseSingle(Spec.Replace("BROKER", Brokers[index].Trim(), StringComparison.Ordinal)).AsObject();

    public static IEnumerable<JsonObject> All() => Enumerable.Range(0, Count).Select(Get);
}
