using System.Text.Json.Nodes;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Tests.Fake;
using Celeriac.Operator.Yaml;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>A fresh fake API server per test, a client playing kubectl, and helpers to read what the operator did.</summary>
public abstract class OperatorTestBase : IAsyncLifetime
{
    protected FakeKubernetesApi Api { get; private set; } = null!;
    protected KubernetesClient Kubectl { get; private set; } = null!;
    private readonly List<OperatorInstance> instances = [];

    public async Task InitializeAsync()
    {
        Api = await FakeKubernetesApi.StartAsync();
        Kubectl = new KubernetesClient(new KubernetesConnection { Server = Api.Url });
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in instances) await instance.DisposeAsync();
        Kubectl.Dispose();
        await Api.DisposeAsync();
    }

    protected async Task<OperatorInstance> StartOperatorAsync(bool leaderElection = false, string? identity = null, Action<IServiceCollection>? configure = null,
        IReadOnlyDictionary<string, string?>? brokerOverrides = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var instance = await OperatorInstance.StartAsync(Api.Url, leaderElection, identity, configure, brokerOverrides, settings);
        instances.Add(instance);
        return instance;
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
        return Kubectl.CreateAsync(ResourceTypes.TaskQueues, obj, CancellationToken.None);
    }

    /// <summary>Read-modify-write with optimistic concurrency, as kubectl edit does.</summary>
    protected async Task UpdateSpecAsync(string ns, string name, Action<JsonObject> change)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = (await Kubectl.GetAsync(ResourceTypes.TaskQueues, ns, name, CancellationToken.None))!;
            change(current["spec"]!.AsObject());
            try
            {
                await Kubectl.ReplaceAsync(ResourceTypes.TaskQueues, current, CancellationToken.None);
                return;
            }
            catch (KubernetesApiException e) when (e.IsConflict && attempt < 10)
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
