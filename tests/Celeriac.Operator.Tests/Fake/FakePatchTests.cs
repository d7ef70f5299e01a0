using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Celeriac.Operator.Tests.Fake;

/// <summary>The fake API server merges patches as the API server documents it, for the real KubernetesClient over a socket.</summary>
public sealed class FakePatchTests : IAsyncLifetime
{
    private FakeKubernetesApi api = null!;
    private IKubernetes client = null!;

    public async Task InitializeAsync()
    {
        api = await FakeKubernetesApi.StartAsync();
        client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = api.Url.ToString() });
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "worker-a", NamespaceProperty = "shop", Labels = new Dictionary<string, string> { ["app"] = "w" }, Annotations = new Dictionary<string, string> { ["keep"] = "me" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "worker", Image = "w:1" }] },
            Status = new V1PodStatus { Phase = "Running" },
        }, "shop");
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await api.DisposeAsync();
    }

    [Theory]
    [InlineData(V1Patch.PatchType.MergePatch)]
    [InlineData(V1Patch.PatchType.StrategicMergePatch)]
    public async Task A_patch_of_annotations_merges_key_by_key_and_null_removes_a_key(V1Patch.PatchType type)
    {
        var before = await client.CoreV1.ReadNamespacedPodAsync("worker-a", "shop");
        var patched = await client.CoreV1.PatchNamespacedPodAsync(new V1Patch(
            new { metadata = new { annotations = new Dictionary<string, string> { ["controller.kubernetes.io/pod-deletion-cost"] = "42" } } }, type), "worker-a", "shop");
        Assert.Equal("42", patched.Metadata.Annotations["controller.kubernetes.io/pod-deletion-cost"]);
        Assert.Equal("me", patched.Metadata.Annotations["keep"]);
        Assert.Equal("w", patched.Metadata.Labels["app"]);
        Assert.Equal("w:1", patched.Spec.Containers[0].Image);
        Assert.Equal(before.Metadata.Uid, patched.Metadata.Uid);
        Assert.NotEqual(before.Metadata.ResourceVersion, patched.Metadata.ResourceVersion);

        var removed = await client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"annotations":{"keep":null}}}""", type), "worker-a", "shop");
        Assert.False(removed.Metadata.Annotations.ContainsKey("keep"));
        Assert.Equal("42", removed.Metadata.Annotations["controller.kubernetes.io/pod-deletion-cost"]);
    }

    [Fact]
    public async Task A_patch_leaves_the_status_alone_and_a_stale_resource_version_conflicts()
    {
        var patched = await client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"status":{"phase":"Failed"},"metadata":{"labels":{"x":"1"}}}""", V1Patch.PatchType.MergePatch), "worker-a", "shop");
        Assert.Equal("Running", patched.Status.Phase);
        Assert.Equal("1", patched.Metadata.Labels["x"]);
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"metadata":{"resourceVersion":"1","labels":{"x":"2"}}}""", V1Patch.PatchType.MergePatch), "worker-a", "shop"));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, stale.Response.StatusCode);
    }

    [Fact]
    public async Task A_strategic_patch_with_a_list_is_refused_rather_than_merged_wrongly()
    {
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"spec":{"containers":[{"name":"worker","image":"w:2"}]}}""", V1Patch.PatchType.StrategicMergePatch), "worker-a", "shop"));
        Assert.Equal(System.Net.HttpStatusCode.UnsupportedMediaType, refused.Response.StatusCode);
        Assert.Equal("w:1", (await client.CoreV1.ReadNamespacedPodAsync("worker-a", "shop")).Spec.Containers[0].Image);
    }
}
