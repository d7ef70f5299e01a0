using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Celeriac.Operator.Tests.Fake;

/// <summary>
/// What a container's process sees of its <c>env</c> list, as Kubernetes documents it ("Define Dependent Environment
/// Variables"): variables in order; <c>valueFrom.secretKeyRef</c> is the Secret's value, used as it is; in a <c>value</c>,
/// <c>$(NAME)</c> of a variable defined earlier is replaced, <c>$$</c> is a literal <c>$</c>, anything else stays as written.
/// </summary>
public static class Kubelet
{
    /// <param name="secret">A Secret's key (name, key) as the pod would read it.</param>
    /// <param name="pod">The pod the container runs in, for <c>valueFrom.fieldRef</c> (the downward API); default: one named worker-0.</param>
    public static Dictionary<string, string> Environment(JsonArray env, Func<string, string, string> secret, JsonObject? pod = null)
    {
        pod ??= new JsonObject { ["metadata"] = new JsonObject { ["name"] = "worker-0", ["namespace"] = "default" } };
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in env)
        {
            var name = node!["name"]!.GetValue<string>();
            variables[name] = node["valueFrom"]?["secretKeyRef"] is JsonObject reference
                ? secret(reference["name"]!.GetValue<string>(), reference["key"]!.GetValue<string>())
                : node["valueFrom"]?["fieldRef"]?["fieldPath"]?.GetValue<string>() is { } path
                    ? Field(pod, path)
                    : Expand(node["value"]?.GetValue<string>() ?? "", variables);
        }
        return variables;
    }

    /// <summary>A downward-API field of the pod: metadata.name, metadata.namespace, metadata.uid (the ones a fieldRef may name that this fake knows).</summary>
    public static string Field(JsonObject pod, string path) => path switch
    {
        "metadata.name" or "metadata.namespace" or "metadata.uid" =>
            pod["metadata"]?[path["metadata.".Length..]]?.GetValue<string>() ?? throw new InvalidOperationException($"the pod has no {path}"),
        _ => throw new NotSupportedException($"fieldRef {path} is not simulated"),
    };

    public static string Expand(string value, IReadOnlyDictionary<string, string> earlier)
    {
        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '$' || i + 1 >= value.Length) { result.Append(value[i]); continue; }
            if (value[i + 1] == '$') { result.Append('$'); i++; continue; }
            if (value[i + 1] == '(')
            {
                var end = value.IndexOf(')', i + 2);
                if (end > 0 && earlier.TryGetValue(value[(i + 2)..end], out var replacement))
                {
                    result.Append(replacement);
                    i = end;
                    continue;
                }
            }
            result.Append(value[i]);
        }
        return result.ToString();
    }

    /// <summary>The environment as .NET's environment-variables configuration reads it (<c>__</c> separates sections).</summary>
    public static IConfiguration Configuration(IReadOnlyDictionary<string, string> environment) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":", StringComparison.Ordinal), (string?)kv.Value)))
            .Build();

    /// <summary>The worker container's env of a rendered Deployment.</summary>
    public static JsonArray Env(JsonObject deployment) => deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();
}
