using System.Globalization;
using System.Text.Json.Nodes;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Autoscaling.Keda;

/// <summary>
/// KEDA's <c>aws-sqs-queue</c> trigger: the queue URL is the prefix and the queue name, as the workers build it (for a
/// queue with protocol celery, the account's URL base and kombu's name of the queue, as kombu and the workers build it).
/// With a credentials Secret, KEDA reads the same keys through a TriggerAuthentication (identityOwner pod);
/// without one the workers use their pod's identity, which KEDA cannot borrow, so KEDA uses its own (identityOwner operator).
/// </summary>
public sealed class SqsKedaTrigger : IKedaTrigger
{
    public bool Handles(BrokerSpec broker) => broker.Sqs is not null;

    public JsonObject Trigger(TaskQueueSpec spec, string queue, ScalingPolicy policy, string? authentication)
    {
        var sqs = spec.Broker.Sqs!;
        var metadata = new JsonObject
        {
            ["queueURL"] = spec.Queues.FirstOrDefault(q => q.Name == queue)?.IsCelery() == true
                ? sqs.QueueUrlPrefix[..(sqs.QueueUrlPrefix.LastIndexOf('/') + 1)] + Celeriac.Celery.Sqs.KombuSqsNames.EntityName((spec.Celery?.QueueNamePrefix ?? "") + queue)
                : sqs.QueueUrlPrefix + queue,
            ["queueLength"] = Text(policy.TargetPerReplica),
            ["activationQueueLength"] = Text(policy.ActivationDepth),
            ["awsRegion"] = sqs.Region,
            ["scaleOnInFlight"] = policy.CountsInFlight ? "true" : "false",
            ["identityOwner"] = authentication is null ? "operator" : "pod",
        };
        if (sqs.Endpoint is { } endpoint) metadata["awsEndpoint"] = endpoint;
        return KedaTriggers.Trigger("aws-sqs-queue", queue, metadata, authentication);
    }

    public JsonObject? Authentication(TaskQueueSpec spec) => spec.Broker.Sqs!.CredentialsSecretRef is { } secret
        ? KedaTriggers.SecretTargets(
            ("awsAccessKeyID", secret.Name, secret.AccessKeyIdKey),
            ("awsSecretAccessKey", secret.Name, secret.SecretAccessKeyKey))
        : null;

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
