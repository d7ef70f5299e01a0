using System.Text.Json.Nodes;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Tests.Fake;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Celeriac.Operator.Tests;

/// <summary>The operator's calls through KubernetesClient, against the fake API server (API Concepts, Server-Side Apply, discovery).</summary>
public sealed class KubernetesObjectsTests : IAsyncLifetime
{
    private FakeKubernetesApi api = null!;
    private k8s.Kubernetes client = null!;

    public async Task InitializeAsync()
    {
        api = await FakeKubernetesApi.StartAsync();
        client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = api.Url.ToString() });
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await api.DisposeAsync();
    }

    private static JsonObject Service(string type) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = "s", ["namespace"] = "default" },
        ["spec"] = new JsonObject { ["type"] = type },
    };

    private static V1Lease Lease(string holder) => new()
    {
        Metadata = new V1ObjectMeta { Name = "l", NamespaceProperty = "default" },
        Spec = new V1LeaseSpec { HolderIdentity = holder },
    };

    [Fact]
    public async Task Discovery_tells_served_resources_from_missing_ones()
    {
        Assert.True(await client.IsServedAsync(ResourceTypes.Deployments, CancellationToken.None));
        Assert.True(await client.IsServedAsync(ResourceTypes.Services, CancellationToken.None));
        Assert.False(await client.IsServedAsync(ResourceTypes.ServiceMonitors, CancellationToken.None));
        api.Register(new FakeResource("monitoring.coreos.com", "v1", "servicemonitors", "ServiceMonitor", true, false));
        Assert.True(await client.IsServedAsync(ResourceTypes.ServiceMonitors, CancellationToken.None));
    }

    [Fact]
    public async Task A_stale_resource_version_or_an_existing_name_is_a_conflict_and_a_missing_object_is_null()
    {
        var created = await client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("a"), "default");
        var fresh = await client.CoordinationV1.ReadNamespacedLeaseAsync("l", "default");
        fresh.Spec.HolderIdentity = "b";
        await client.CoordinationV1.ReplaceNamespacedLeaseAsync(fresh, "l", "default");
        created.Spec.HolderIdentity = "c";
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, "l", "default"));
        Assert.True(stale.IsConflict());
        var exists = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("d"), "default"));
        Assert.True(exists.IsConflict());
        Assert.Contains("already exists", exists.Describe(), StringComparison.Ordinal);
        Assert.Null(await client.CoordinationV1.ReadNamespacedLeaseAsync("missing", "default").OrNullAsync());
        Assert.Null(await client.GetAsync(ResourceTypes.TaskQueues, "default", "missing", CancellationToken.None));
    }

    [Fact]
    public async Task The_operators_apply_takes_fields_over_that_another_manager_owns()
    {
        await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(Service("ClusterIP").ToJsonString(), V1Patch.PatchType.ApplyPatch), "s", "default", fieldManager: "someone");
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch(Service("NodePort").ToJsonString(), V1Patch.PatchType.ApplyPatch), "s", "default", fieldManager: "other", force: false));
        Assert.Equal(409, conflict.StatusCode());

        var applied = await client.ApplyAsync(Service("NodePort"), "celeriac-operator", CancellationToken.None);
        Assert.Equal("NodePort", Assert.IsType<V1Service>(applied).Spec.Type);
    }

    [Fact]
    public async Task Deleting_checks_the_uid_and_reports_a_missing_object()
    {
        var service = Assert.IsType<V1Service>(await client.ApplyAsync(Service("ClusterIP"), "celeriac-operator", CancellationToken.None));
        var listed = Assert.Single(await client.ListMetadataAsync(ResourceTypes.Services, "default", "", CancellationToken.None));
        Assert.Equal(service.Metadata.Uid, listed.Metadata.Uid);

        var wrongUid = await Assert.ThrowsAsync<HttpOperationException>(() => client.DeleteAsync(ResourceTypes.Services, "default", "s", "another-uid", CancellationToken.None));
        Assert.True(wrongUid.IsConflict());
        Assert.True(await client.DeleteAsync(ResourceTypes.Services, "default", "s", service.Metadata.Uid, CancellationToken.None));
        Assert.False(await client.DeleteAsync(ResourceTypes.Services, "default", "s", null, CancellationToken.None));
    }

    [Fact]
    public async Task A_watch_from_a_compacted_version_throws_410_Gone()
    {
        var (_, version) = await client.ListAsync(ResourceTypes.TaskQueues, null, null, CancellationToken.None);
        await client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("a"), "default");
        api.Compact();
        var gone = await Assert.ThrowsAsync<KubernetesException>(async () =>
        {
            await foreach (var _ in client.WatchAsync(ResourceTypes.TaskQueues, null, version, null, TimeSpan.FromSeconds(5), CancellationToken.None))
            {
            }
        });
        Assert.Equal(410, gone.Status.Code);
    }

    [Fact]
    public async Task A_watch_sends_changes_after_its_version_then_bookmarks()
    {
        api.BookmarkInterval = TimeSpan.FromMilliseconds(100);
        var (_, version) = await client.ListAsync(ResourceTypes.TaskQueues, "shop", null, CancellationToken.None);
        var type = ResourceTypes.TaskQueues;
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
        {
            ["apiVersion"] = type.ApiVersion,
            ["kind"] = type.Kind,
            ["metadata"] = new JsonObject { ["name"] = "billing", ["namespace"] = "shop" },
            ["spec"] = new JsonObject(),
        }, type.Group, type.Version, "shop", type.Plural);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = new List<(WatchEventType Type, string? Name)>();
        await foreach (var (eventType, obj) in client.WatchAsync(type, "shop", version, null, TimeSpan.FromSeconds(5), timeout.Token))
        {
            seen.Add((eventType, obj["metadata"]?["name"]?.GetValue<string>()));
            if (eventType == WatchEventType.Bookmark) break;
        }
        Assert.Equal((WatchEventType.Added, "billing"), seen[0]);
        Assert.Equal(WatchEventType.Bookmark, seen[^1].Type);
    }
}
