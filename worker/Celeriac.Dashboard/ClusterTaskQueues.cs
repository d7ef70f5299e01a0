using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard;

/// <summary>
/// The TaskQueues page's data, read with the dashboard's own identity: in a pod its service account (the chart grants it
/// list on taskqueues), elsewhere the kubeconfig as kubectl finds it (<see cref="DashboardOptions.Kubeconfig"/>, else
/// <c>$KUBECONFIG</c>, else <c>~/.kube/config</c>). Where there is neither, or the cluster refuses, the page says why.
/// </summary>
public sealed class ClusterTaskQueues(IOptions<DashboardOptions> options) : IDisposable
{
    private readonly Lock _gate = new();
    private IKubernetes? _client;

    /// <summary>The TaskQueues (of <see cref="DashboardOptions.KubernetesNamespace"/>, else of every namespace).</summary>
    public async Task<(JsonArray? Items, string? Problem)> ListAsync(CancellationToken cancellationToken)
    {
        IKubernetes client;
        try
        {
            client = Client();
        }
        catch (KubeConfigException e)
        {
            return (null, e.Message);
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var list = options.Value.KubernetesNamespace is { } ns
                ? await client.CustomObjects.ListNamespacedCustomObjectAsync(TaskQueueResource.Group, TaskQueueResource.Version, ns, TaskQueueResource.Plural, cancellationToken: timeout.Token).ConfigureAwait(false)
                : await client.CustomObjects.ListClusterCustomObjectAsync(TaskQueueResource.Group, TaskQueueResource.Version, TaskQueueResource.Plural, cancellationToken: timeout.Token).ConfigureAwait(false);
            return (JsonSerializer.SerializeToNode(list)?["items"]?.AsArray() ?? [], null);
        }
        catch (HttpOperationException e)
        {
            return (null, e.Response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => "the cluster did not accept the dashboard's credentials",
                HttpStatusCode.Forbidden => "the dashboard's identity may not list taskqueues.celeriac.io",
                HttpStatusCode.NotFound => "the cluster has no TaskQueue resource (is the CRD installed?)",
                _ => $"the cluster answered {(int)e.Response.StatusCode} {e.Response.ReasonPhrase}",
            });
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"the cluster did not answer: {e.Message}");
        }
    }

    private IKubernetes Client()
    {
        lock (_gate)
        {
            if (_client is not null) return _client;
            var o = options.Value;
            var configuration = KubeconfigDiscovery.Load(o.Kubeconfig ?? Environment.GetEnvironmentVariable("KUBECONFIG"),
                KubernetesClientConfiguration.KubeConfigDefaultLocation, o.KubeContext);
            return _client = new k8s.Kubernetes(configuration);
        }
    }

    public void Dispose() => _client?.Dispose();
}
