using System.Text;
using System.Text.Json.Nodes;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Tests.Fake;
using Celeriac.Operator.Yaml;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>A fresh fake API server per test, KubernetesClient playing kubectl, and helpers to read what the operator did.</summary>
public abstract class OperatorTestBase : IAsyncLifetime
{
    protected FakeKubernetesApi Api { get; private set; } = null!;
    protected IKubernetes Kubectl { get; private set; } = null!;
    private readonly List<OperatorInstance> instances = [];

    public async Task InitializeAsync()
    {
        Api = await FakeKubernetesApi.StartAsync();
        Kubectl = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = Api.Url.ToString() });
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in instances) await instance.DisposeAsync();
        Kubectl.Dispose();
        await Api.DisposeAsync();
    }

    /// <param name="kubernetes">How the operator reaches the fake; null: plainly, without credentials.</param>
    protected async Task<OperatorInstance> StartOperatorAsync(bool leaderElection = false, string? identity = null, Action<IServiceCollection>? configure = null,
        IReadOnlyDictionary<string, string?>? brokerOverrides = null, IReadOnlyDictionary<string, string?>? settings = null,
        KubernetesClientConfiguration? kubernetes = null)
    {
        var instance = await OperatorInstance.StartAsync(kubernetes ?? new KubernetesClientConfiguration { Host = Api.Url.ToString() },
            leaderElection, identity, configure, brokerOverrides, settings);
        instances.Add(instance);
        return instance;
    }

    /// <summary>From now on the fake answers 401 to requests without this bearer token; the test's own client sends it.</summary>
    protected void RequireToken(string token)
    {
        Api.RequiredToken = token;
        Kubectl.Dispose();
        Kubectl = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = Api.Url.ToString(), AccessToken = token });
    }

    protected async Task StopOperatorAsync(OperatorInstance instance)
    {
        instances.Remove(instance);
        await instance.DisposeAsync();
    }

    protected Task<JsonObject> CreateAsync(string yaml = TestQueues.Sample)
    {
        var obj = YamlJson.ParseSingle(yaml).AsObject();
        var metadata = obj["metadata"]!.AsObject();
        metadata.Remove("uid");
        metadata.Remove("generation");
        var type = ResourceTypes.TaskQueues;
        return Kubectl.CustomObjects.CreateNamespacedCustomObjectAsync<JsonObject>(obj, type.Group, type.Version, metadata["namespace"]!.GetValue<string>(), type.Plural);
    }

    protected Task CreateSecretAsync(string name, IReadOnlyDictionary<string, string> data, string ns = "shop") =>
        Kubectl.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Data = data.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetBytes(kv.Value)),
        }, ns);

    /// <summary>Read-modify-write with optimistic concurrency, as kubectl edit does.</summary>
    protected async Task UpdateSpecAsync(string ns, string name, Action<JsonObject> change)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = (await Kubectl.GetAsync(ResourceTypes.TaskQueues, ns, name, CancellationToken.None))!;
            change(current["spec"]!.AsObject());
            try
            {
                var type = ResourceTypes.TaskQueues;
                await Kubectl.CustomObjects.ReplaceNamespacedCustomObjectAsync(current, type.Group, type.Version, ns, type.Plural, name);
                return;
            }
            catch (HttpOperationException e) when (e.IsConflict() && attempt < 10)
            {
            }
        }
    }

    protected JsonObject? Deployment(string name, string ns = "shop") => Api.Get("apps/v1", "deployments", ns, name);
    protected JsonObject? TaskQueue(string name, string ns = "shop") => Api.Get("celeriac.io/v1alpha1", "taskqueues", ns, name);

    protected JsonNode? Condition(string queue, string type, string ns = "shop") =>
        TaskQueue(queue, ns)?["status"]?["conditions"]?.AsArray().FirstOrDefault(c => c?["type"]?.GetValue<string>() == type);

    protected string? ConditionStatus(string queue, string type, string ns = "shop") => Condition(queue, type, ns)?["status"]?.GetValue<string>();

    protected static string Image(JsonObject deployment) =>
        deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>();
}
