using System.Text.Json.Nodes;

namespace Celeriac.Operator.Model;

/// <summary>An extra container environment variable; <c>valueFrom</c> is passed through as Kubernetes defines it.</summary>
public sealed class EnvVarSpec
{
    public string Name { get; set; } = "";
    public string? Value { get; set; }
    public JsonObject? ValueFrom { get; set; }
}
