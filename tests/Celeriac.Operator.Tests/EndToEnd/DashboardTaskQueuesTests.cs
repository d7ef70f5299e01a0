using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Dashboard;
using Celeriac.Kubernetes;
using Celeriac.Operator.Yaml;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>
/// The dashboard's TaskQueues page reads the cluster with KubernetesClient and the dashboard's own identity (its image
/// has no kubectl): the fake API server over a real socket, found through a kubeconfig as kubectl would find it.
/// </summary>
public sealed class DashboardTaskQueuesTests : OperatorTestBase, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("celeriac-dashboard-");

    private async Task<WebApplication> StartDashboardAsync(Action<DashboardOptions> configure)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Type"] = "sqlite",
            ["Celeriac:Broker:Sqlite:Path"] = Path.Combine(_directory.FullName, "celeriac.db"),
            ["Celeriac:Dashboard:Token"] = "test-token-0123456789abcdef",
        }).Build();
        var app = DashboardHost.Build(configuration, "http://127.0.0.1:0", configure);
        await app.StartAsync();
        return app;
    }

    private static async Task<JsonObject> TaskQueuesPageAsync(WebApplication dashboard)
    {
        using var http = new HttpClient { BaseAddress = new Uri(dashboard.Urls.First()) };
        return (await http.GetFromJsonAsync<JsonObject>("/api/taskqueues"))!;
    }

    [Fact]
    public async Task The_page_lists_each_TaskQueue_with_its_pools_and_conditions_and_says_why_when_it_cannot()
    {
        await Kubectl.CustomObjects.CreateNamespacedCustomObjectAsync(YamlJson.ParseSingle(TestQueues.Sample),
            TaskQueueResource.Group, TaskQueueResource.Version, "shop", TaskQueueResource.Plural);
        var status = JsonNode.Parse("""
            {
              "apiVersion": "celeriac.io/v1alpha1", "kind": "TaskQueue", "metadata": { "name": "billing", "namespace": "shop" },
              "status": {
                "pools": [ { "name": "general", "replicas": 2, "desiredReplicas": 3 } ],
                "conditions": [ { "type": "Ready", "status": "True", "reason": "Reconciled", "message": "" } ]
              }
            }
            """)!;
        await Kubectl.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(status, TaskQueueResource.Group, TaskQueueResource.Version, "shop",
            TaskQueueResource.Plural, "billing");
        var kubeconfig = Kubeconfigs.Write(_directory.FullName, "config", Api.Url, "{ username: dashboard, password: secret }");

        await using (var dashboard = await StartDashboardAsync(o => o.Kubeconfig = kubeconfig))
        {
            var page = await TaskQueuesPageAsync(dashboard);
            Assert.True(page["available"]!.GetValue<bool>(), page.ToJsonString());
            var queue = Assert.Single(page["items"]!.AsArray())!;
            Assert.Equal(("shop", "billing"), (queue["ns"]!.GetValue<string>(), queue["name"]!.GetValue<string>()));
            Assert.Equal(3, queue["pools"]![0]!["desiredReplicas"]!.GetValue<int>());
            Assert.Equal("Ready", queue["conditions"]![0]!["type"]!.GetValue<string>());

            // The identity may not list them (RBAC): the page says so instead of failing.
            Api.Fail(r => r.Path.Value!.Contains(TaskQueueResource.Plural, StringComparison.Ordinal), 403, 1);
            var refused = await TaskQueuesPageAsync(dashboard);
            Assert.False(refused["available"]!.GetValue<bool>());
            Assert.Contains("may not list", refused["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // One namespace only: another namespace's TaskQueues are not shown.
        await using (var dashboard = await StartDashboardAsync(o => (o.Kubeconfig, o.KubernetesNamespace) = (kubeconfig, "elsewhere")))
            Assert.Empty((await TaskQueuesPageAsync(dashboard))["items"]!.AsArray());

        // No kubeconfig where it was said to be, and not a pod: the page names what is missing.
        await using (var dashboard = await StartDashboardAsync(o => o.Kubeconfig = Path.Combine(_directory.FullName, "missing")))
        {
            var none = await TaskQueuesPageAsync(dashboard);
            Assert.False(none["available"]!.GetValue<bool>());
            Assert.Contains("no kubeconfig", none["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
