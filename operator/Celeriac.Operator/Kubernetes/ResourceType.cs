namespace Celeriac.Operator.Kubernetes;

/// <summary>An API resource: where its objects live on the API server.</summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced = true)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string GroupVersionPath => Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";

    public string CollectionPath(string? ns) =>
        Namespaced && ns is not null ? $"{GroupVersionPath}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}" : $"{GroupVersionPath}/{Plural}";

    public string ObjectPath(string? ns, string name) => $"{CollectionPath(ns)}/{Uri.EscapeDataString(name)}";
}
