namespace Celeriac.Operator.Model;

/// <summary>The parts of Kubernetes object metadata the operator reads.</summary>
public sealed class ObjectMeta
{
    public string Name { get; set; } = "";
    public string? Namespace { get; set; }
    public string? Uid { get; set; }
    public long? Generation { get; set; }
    public string? ResourceVersion { get; set; }
    public string? CreationTimestamp { get; set; }
    public string? DeletionTimestamp { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }
}
