using Celeriac.Operator.Model;
using Celeriac.Operator.Yaml;

namespace Celeriac.Operator.Tests;

/// <summary>TaskQueues for tests, written as a user would write them.</summary>
public static class TestQueues
{
    public const string Sample = """
        apiVersion: celeriac.io/v1alpha1
        kind: TaskQueue
        metadata: { name: billing, namespace: shop, uid: 7d3c0000-0000-0000-0000-000000000001, generation: 3 }
        spec:
          image: registry.example.com/billing:1.0
          imagePullPolicy: IfNotPresent
          imagePullSecrets: [regcred]
          serviceAccountName: billing-sa
          args: [--verbose]
          taskAssemblies: [/app/Billing.Tasks.dll, /app/Shared.Tasks.dll]
          broker:
            sqs: { region: eu-west-1, queueUrlPrefix: "https://sqs.eu-west-1.amazonaws.com/1/billing-" }
          queues:
            - { name: bulk, priority: 1 }
            - { name: urgent, priority: 10 }
            - { name: default, priority: 5 }
          pools:
            - name: general
              queues: [bulk, urgent, default]
              concurrency: 16
              shutdownGrace: 40s
              resources: { requests: { cpu: 250m, memory: 256Mi }, limits: { memory: 1Gi, cpu: 2 } }
              nodeSelector: { pool: workers }
              tolerations: [ { key: dedicated, operator: Equal, value: celeriac, effect: NoSchedule } ]
              env: [ { name: FEATURE_X, value: "on" }, { name: API_KEY, valueFrom: { secretKeyRef: { name: api, key: key } } } ]
            - name: urgent
              queues: [urgent]
              resources: { limits: { memory: 512Mi } }
              memoryCeilingPercent: 80
          tasks:
            - { name: emails.send, softTimeLimit: 20s, timeLimit: 30s, maxRetries: 5, expires: 1h, rateLimit: 70/s }
            - { name: reports.build, timeLimit: 2m }
        """;

    public static TaskQueue Parse(string yaml = Sample) => ModelJson.ToTaskQueue(YamlJson.ParseSingle(yaml));
}
