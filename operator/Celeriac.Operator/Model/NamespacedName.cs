using System.Text.Json.Nodes;

namespace Celeriac.Operator.Model;

/// <summary>
/// A namespaced object's identity: what the operator keys a TaskQueue by in its work queue, its cache, its broker
/// connections and its autoscaling views.
/// </summary>
public readonly record struct NamespacedName(string Namespace, string Name)
{
    /// <summary>The TaskQueue's namespace (the API server always sets one; <c>default</c> for a file rendered offline) and name.</summary>
    public static NamespacedName Of(TaskQueue queue) => new(queue.Metadata.Namespace ?? "default", queue.Metadata.Name);

    /// <summary>An object's <c>metadata.namespace</c> and <c>metadata.name</c>; null when either is missing.</summary>
    public static NamespacedName? Of(JsonObject obj) =>
        obj["metadata"]?["namespace"]?.GetValue<string>() is { } ns && obj["metadata"]?["name"]?.GetValue<string>() is { } name
            ? new NamespacedName(ns, name)
            : null;

    /// <summary><c>namespace/name</c>, as kubectl writes it.</summary>
    public override string ToString() => $"{Namespace}/{Name}";
}
