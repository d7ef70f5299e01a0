using System.Text.Json.Nodes;

namespace Celeriac.Operator.Tests.Fake;

/// <summary>
/// Server-side apply as documented ("Server-Side Apply": field management, conflicts, merge strategy),
/// for the fields Celeriac uses. Each manager owns the set of leaf fields it last applied. An apply sets
/// every field in the applied configuration, removes fields the manager owned before but no longer
/// applies (unless another manager also owns them), and conflicts (409) when another manager owns a field
/// with a different value, unless force=true, which takes the field over. Simplification: lists are atomic
/// (the documented default for lists without x-kubernetes-list-type: map/set); granular list merge is not simulated.
/// </summary>
public static class ServerSideApply
{
    public const char Separator = '\n';

    public static HashSet<string> LeafPaths(JsonNode? node, string prefix = "")
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        Collect(node, prefix, paths);
        return paths;
    }

    private static void Collect(JsonNode? node, string prefix, HashSet<string> paths)
    {
        if (node is JsonObject obj && obj.Count > 0)
        {
            foreach (var (key, value) in obj) Collect(value, prefix.Length == 0 ? key : prefix + Separator + key, paths);
        }
        else if (prefix.Length > 0)
        {
            paths.Add(prefix);
        }
    }

    public static JsonNode? Get(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (var part in path.Split(Separator))
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(part, out node)) return null;
        }
        return node;
    }

    public static void Set(JsonObject root, string path, JsonNode? value)
    {
        var parts = path.Split(Separator);
        var current = root;
        foreach (var part in parts[..^1])
        {
            if (current[part] is not JsonObject next)
            {
                next = [];
                current[part] = next;
            }
            current = next;
        }
        current[parts[^1]] = value?.DeepClone();
    }

    public static void Remove(JsonObject root, string path)
    {
        var parts = path.Split(Separator);
        var current = root;
        foreach (var part in parts[..^1])
        {
            if (current[part] is not JsonObject next) return;
            current = next;
        }
        current.Remove(parts[^1]);
    }

    /// <returns>The conflicting fields (empty when none or forced).</returns>
    public static List<string> Apply(JsonObject live, JsonObject applied, string manager, bool force, Dictionary<string, HashSet<string>> owners, Func<string, bool> inScope)
    {
        var newPaths = LeafPaths(applied).Where(inScope).ToHashSet(StringComparer.Ordinal);
        var conflicts = new List<(string Manager, string Path)>();
        foreach (var path in newPaths)
        {
            foreach (var (other, owned) in owners)
            {
                if (other == manager || !owned.Contains(path)) continue;
                if (!JsonNode.DeepEquals(Get(live, path), Get(applied, path))) conflicts.Add((other, path));
            }
        }
        if (conflicts.Count > 0 && !force) return [.. conflicts.Select(c => $"{c.Path.Replace(Separator, '.')} (owned by {c.Manager})")];

        var previous = owners.TryGetValue(manager, out var p) ? p : [];
        foreach (var path in previous.Where(path => !newPaths.Contains(path)))
        {
            if (!owners.Any(o => o.Key != manager && o.Value.Contains(path))) Remove(live, path);
        }
        foreach (var path in newPaths) Set(live, path, Get(applied, path));
        // Equal values are shared ownership; force takes the conflicting fields away from their owners.
        foreach (var (other, path) in conflicts) owners[other].Remove(path);
        owners[manager] = newPaths;
        return [];
    }
}
