using System.Text.Json.Nodes;

namespace Celeriac.Chart.Tests;

/// <summary>The operator may touch pods only as idle-first scale-in does: list a pool's pods and patch their deletion cost.</summary>
public sealed class PodRulesTests
{
    [Fact]
    public void The_cluster_role_grants_list_and_patch_on_pods_and_nothing_more_on_them()
    {
        var rules = Templates.SkeletonOf("clusterrole.yaml", "ClusterRole")["rules"]!.AsArray().OfType<JsonObject>()
            .Where(r => Strings(r, "resources").Any(x => x == "pods" || x.StartsWith("pods/", StringComparison.Ordinal)))
            .ToList();
        var rule = Assert.Single(rules);
        Assert.Equal([""], Strings(rule, "apiGroups"));
        Assert.Equal(["pods"], Strings(rule, "resources"));
        Assert.Equal(["list", "patch"], Strings(rule, "verbs").Order(StringComparer.Ordinal));
        Assert.Null(rule["resourceNames"]);
    }

    [Fact]
    public void The_leader_election_role_grants_nothing_on_pods()
    {
        Assert.DoesNotContain(Templates.SkeletonOf("role.yaml", "Role")["rules"]!.AsArray().OfType<JsonObject>(),
            r => Strings(r, "resources").Any(x => x.StartsWith("pods", StringComparison.Ordinal)));
    }

    private static List<string> Strings(JsonObject rule, string field) => [.. rule[field]!.AsArray().Select(v => v!.GetValue<string>())];
}
