using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Autoscaling.Keda;

/// <summary>The triggers of every broker; adding a broker to keda mode is one <see cref="IKedaTrigger"/> here.</summary>
public static class KedaTriggers
{
    public static ImmutableArray<IKedaTrigger> All { get; } = [new SqsKedaTrigger(), new RedisKedaTrigger(), new ServiceBusKedaTrigger()];

    public static IKedaTrigger For(BrokerSpec broker) =>
        All.FirstOrDefault(t => t.Handles(broker)) ?? throw new InvalidOperationException("no KEDA trigger for this broker");

    internal static JsonObject Trigger(string type, string queue, JsonObject metadata, string? authentication)
    {
        var trigger = new JsonObject { ["type"] = type, ["name"] = queue, ["metadata"] = metadata };
        if (authentication is not null) trigger["authenticationRef"] = new JsonObject { ["name"] = authentication };
        return trigger;
    }

    internal static JsonObject SecretTargets(params (string Parameter, string Secret, string Key)[] targets) => new()
    {
        ["secretTargetRef"] = new JsonArray([.. targets.Select(t => (JsonNode?)new JsonObject { ["parameter"] = t.Parameter, ["name"] = t.Secret, ["key"] = t.Key })]),
    };
}
