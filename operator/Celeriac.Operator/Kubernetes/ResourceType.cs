namespace Celeriac.Operator.Kubernetes;

/// <summary>An API resource the operator reads or writes: its group, version, plural and kind.</summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced = true)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}
