using System.Globalization;
using System.Text.Json.Nodes;
using Celeriac.Operator.Model;
using Celeriac.Redis;

namespace Celeriac.Operator.Autoscaling.Keda;

/// <summary>
/// For a queue with protocol celery, KEDA's <c>redis</c> trigger on kombu's list of the queue (its step-0 list, where
/// messages without a priority go; kombu's global key prefix in front). Otherwise KEDA's <c>redis-streams</c> trigger on a queue's stream and Celeriac's consumer group (worker/Celeriac.Redis/RedisKeys.cs:
/// <c>{prefix}:{queue}:stream</c>, group <c>celeriac</c>), in lagCount mode (entries not yet delivered to the group; Redis 7+),
/// the only mode that can scale to zero. It cannot add the pending (in-flight) entries to the lag, so countInFlight is not honoured here.
/// </summary>
public sealed class RedisKedaTrigger : IKedaTrigger
{
    public bool Handles(BrokerSpec broker) => broker.Redis is not null;

    public JsonObject Trigger(TaskQueueSpec spec, string queue, ScalingPolicy policy, string? authentication)
    {
        var redis = spec.Broker.Redis!;
        if (spec.Queues.FirstOrDefault(q => q.Name == queue)?.IsCelery() == true)
        {
            var list = new JsonObject
            {
                ["address"] = redis.Address,
                ["listName"] = (spec.Celery?.KeyPrefix ?? "") + queue,
                ["listLength"] = policy.TargetPerReplica.ToString(CultureInfo.InvariantCulture),
                ["activationListLength"] = policy.ActivationDepth.ToString(CultureInfo.InvariantCulture),
            };
            if (redis.Tls) list["enableTLS"] = "true";
            return KedaTriggers.Trigger("redis", queue, list, authentication);
        }
        var prefix = redis.KeyPrefix ?? new RedisBrokerOptions().KeyPrefix;
        var metadata = new JsonObject
        {
            ["address"] = redis.Address,
            ["stream"] = $"{prefix}:{{{queue}}}:stream",
            ["consumerGroup"] = "celeriac",
            ["lagCount"] = policy.TargetPerReplica.ToString(CultureInfo.InvariantCulture),
            ["activationLagCount"] = policy.ActivationDepth.ToString(CultureInfo.InvariantCulture),
        };
        if (redis.Tls) metadata["enableTLS"] = "true";
        return KedaTriggers.Trigger("redis-streams", queue, metadata, authentication);
    }

    public JsonObject? Authentication(TaskQueueSpec spec) => spec.Broker.Redis!.PasswordSecretRef is { } password
        ? KedaTriggers.SecretTargets(("password", password.Name, password.Key))
        : null;
}
