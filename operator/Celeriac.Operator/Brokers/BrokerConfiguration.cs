using System.Text;
using System.Text.Json.Nodes;
using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;

namespace Celeriac.Operator.Brokers;

/// <summary>
/// The configuration a worker of a TaskQueue would see for its broker and queues, as configuration keys
/// (<c>Celeriac:Broker:Type</c>, ...), computed from the same environment the operator renders into the
/// workers' pods: Secret references are read through the API and <c>$(VAR)</c> is expanded as the kubelet does.
/// </summary>
public static class BrokerConfiguration
{
    /// <summary>Reads one key of a Secret in the TaskQueue's namespace; null when the Secret or key is missing.</summary>
    public delegate Task<string?> SecretReader(string secretName, string key, CancellationToken cancellationToken);

    // The AWS SDK reads these from the environment in a pod; the operator serves many TaskQueues from one
    // process, so they become the SQS broker's explicit options instead.
    private static readonly Dictionary<string, string> EnvironmentAliases = new(StringComparer.Ordinal)
    {
        ["AWS_ACCESS_KEY_ID"] = "Celeriac:Broker:Sqs:AccessKeyId",
        ["AWS_SECRET_ACCESS_KEY"] = "Celeriac:Broker:Sqs:SecretAccessKey",
    };

    public static async Task<Dictionary<string, string?>> BuildAsync(TaskQueueSpec spec, SecretReader secrets, CancellationToken cancellationToken)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var configuration = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var node in WorkerEnvironment.BrokerAndQueues(spec))
        {
            var variable = node!.AsObject();
            var name = variable["name"]!.GetValue<string>();
            string value;
            if (variable["valueFrom"]?["secretKeyRef"] is JsonObject reference)
            {
                var secret = reference["name"]!.GetValue<string>();
                var key = reference["key"]!.GetValue<string>();
                value = await secrets(secret, key, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Secret '{secret}' has no key '{key}' (referenced by the TaskQueue's broker settings).");
            }
            else
            {
                value = Expand(variable["value"]?.GetValue<string>() ?? "", variables);
            }
            variables[name] = value;
            if (EnvironmentAliases.TryGetValue(name, out var alias)) configuration[alias] = value;
            else if (name.StartsWith("Celeriac__", StringComparison.Ordinal)) configuration[name.Replace("__", ":", StringComparison.Ordinal)] = value;
        }
        return configuration;
    }

    /// <summary>Kubernetes' dependent environment variables: <c>$(NAME)</c> of an earlier variable is replaced, <c>$$</c> is a literal <c>$</c>, anything else stays as written.</summary>
    public static string Expand(string value, IReadOnlyDictionary<string, string> earlier)
    {
        if (!value.Contains('$', StringComparison.Ordinal)) return value;
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
}
