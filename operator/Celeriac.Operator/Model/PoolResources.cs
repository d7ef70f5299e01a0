using System.Text.Json.Serialization;

namespace Celeriac.Operator.Model;

/// <summary>Container requests and limits as Kubernetes quantities (a memory limit is required).</summary>
public sealed class PoolResources
{
    [JsonConverter(typeof(QuantityMapConverter))]
    public Dictionary<string, string>? Requests { get; set; }

    [JsonConverter(typeof(QuantityMapConverter))]
    public Dictionary<string, string> Limits { get; set; } = [];
}
