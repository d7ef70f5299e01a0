using System.Text.Json.Nodes;

namespace Celeriac.Operator.Kubernetes;

/// <summary>One event of a watch stream: ADDED, MODIFIED, DELETED or BOOKMARK (ERROR becomes an exception).</summary>
public sealed record WatchEvent(string Type, JsonObject Object)
{
    public string? ResourceVersion => Object["metadata"]?["resourceVersion"]?.GetValue<string>();
}
