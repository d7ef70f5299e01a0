using System.Diagnostics;
using System.Text.Json.Nodes;
using Celeriac.Operator.Yaml;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>The kustomize config renders, and its RBAC allows every request the operator makes — and no wildcard.</summary>
public sealed class DeploymentConfigTests : OperatorTestBase
{
    private static IReadOnlyList<JsonNode> Kustomize()
    {
        // Copied next to the tests, with the CRD directory beside it as in the repository.
        var root = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("kubectl", ["kustomize", Path.Combine(root, "config")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "kubectl kustomize did not finish");
        Assert.True(process.ExitCode == 0, $"kubectl kustomize failed: {error.Result}");
        return YamlJson.ParseDocuments(output.Result);
    }

    [Fact]
    public void Kubectl_kustomize_renders_the_crd_rbac_and_operator_deployment()
    {
        var documents = Kustomize();
        var kinds = documents.Select(d => d["kind"]!.GetValue<string>()).ToList();
        foreach (var kind in new[] { "Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment" })
            Assert.Contains(kind, kinds);
        var deployment = documents.Single(d => d["kind"]!.GetValue<string>() == "Deployment");
        Assert.Equal("celeriac-system", deployment["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal("celeriac-operator", deployment["spec"]!["template"]!["spec"]!["serviceAccountName"]!.GetValue<string>());
        Assert.Equal("celeriac-operator:dev", deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        var binding = documents.Single(d => d["kind"]!.GetValue<string>() == "ClusterRoleBinding");
        Assert.Equal("celeriac-system", binding["subjects"]![0]!["namespace"]!.GetValue<string>());
        foreach (var role in documents.Where(d => d["kind"]!.GetValue<string>() is "ClusterRole" or "Role"))
        {
            foreach (var rule in role["rules"]!.AsArray())
            {
                Assert.DoesNotContain("*", rule!["verbs"]!.AsArray().Select(v => v!.GetValue<string>()));
                Assert.DoesNotContain("*", rule["resources"]!.AsArray().Select(v => v!.GetValue<string>()));
            }
        }
    }

    [Fact]
    public async Task Rbac_allows_every_request_the_operator_made_in_a_full_run()
    {
        var documents = Kustomize();
        var rules = documents.Where(d => d["kind"]!.GetValue<string>() is "ClusterRole" or "Role")
            .SelectMany(r => r["rules"]!.AsArray().Select(rule => (Namespace: r["metadata"]!["namespace"]?.GetValue<string>(), Rule: rule!)))
            .ToList();

        Api.Register(new Fake.FakeResource("monitoring.coreos.com", "v1", "servicemonitors", "ServiceMonitor", true, false));
        await StartOperatorAsync(leaderElection: true, identity: "rbac-check");
        await CreateAsync(ResilienceInvalid());
        await Eventually.Until(() => ConditionStatus("billing", "Degraded") == "True", "invalid spec seen");
        await UpdateSpecAsync("shop", "billing", spec => spec["pools"]![1]!["queues"] = new JsonArray("urgent"));
        await Eventually.Until(() => Deployment("billing-urgent") is not null, "applied");
        await UpdateSpecAsync("shop", "billing", spec => spec["pools"]!.AsArray().RemoveAt(1));
        await Eventually.Until(() => Deployment("billing-urgent") is null, "pool removed");

        var operatorRequests = Api.Requests.Where(r => !r.Contains("fieldManager=celeriac-autoscaler", StringComparison.Ordinal)).ToList();
        var denied = new List<string>();
        foreach (var request in operatorRequests)
        {
            var (verb, group, resource, ns, name) = Parse(request);
            if (resource is null) continue; // discovery is open to every authenticated user
            if (IsTestClient(verb, resource)) continue;
            var allowed = rules.Any(r =>
                (r.Namespace is null || r.Namespace == ns)
                && r.Rule["apiGroups"]!.AsArray().Any(g => g!.GetValue<string>() == group)
                && r.Rule["resources"]!.AsArray().Any(x => x!.GetValue<string>() == resource)
                && r.Rule["verbs"]!.AsArray().Any(v => v!.GetValue<string>() == verb)
                && (r.Rule["resourceNames"] is not JsonArray names || names.Any(n => n!.GetValue<string>() == name)));
            if (!allowed) denied.Add($"{verb} {group}/{resource} {ns}/{name}  ({request})");
        }
        Assert.Empty(denied);
        Assert.Contains(operatorRequests, r => r.StartsWith("PATCH /apis/apps/v1/namespaces/shop/deployments/", StringComparison.Ordinal));
        Assert.Contains(operatorRequests, r => r.StartsWith("DELETE ", StringComparison.Ordinal));
    }

    private static string ResilienceInvalid() =>
        TestQueues.Sample.Replace("queues: [urgent]\n", "queues: [missing]\n", StringComparison.Ordinal);

    /// <summary>The test itself creates and edits TaskQueues as a user would; those requests are not the operator's.</summary>
    private static bool IsTestClient(string verb, string resource) =>
        resource == "taskqueues" && verb is "create" or "update";

    private static (string Verb, string Group, string? Resource, string? Namespace, string? Name) Parse(string request)
    {
        var space = request.IndexOf(' ', StringComparison.Ordinal);
        var method = request[..space];
        var url = request[(space + 1)..];
        var query = url.Contains('?', StringComparison.Ordinal) ? url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..] : "";
        var parts = url.Split('?')[0].Trim('/').Split('/');
        int i;
        string group;
        if (parts[0] == "api") { group = ""; i = 2; }
        else { group = parts[1]; i = 3; }
        if (i >= parts.Length) return ("get", group, null, null, null);
        string? ns = null;
        if (parts[i] == "namespaces" && parts.Length > i + 2) { ns = parts[i + 1]; i += 2; }
        var resource = parts[i];
        var name = parts.Length > i + 1 ? parts[i + 1] : null;
        if (parts.Length > i + 2) resource += "/" + parts[i + 2];
        var verb = method switch
        {
            "GET" when name is null && query.Contains("watch=true", StringComparison.Ordinal) => "watch",
            "GET" when name is null => "list",
            "GET" => "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => method,
        };
        return (verb, group, resource, ns, name);
    }
}
