using k8s;
using k8s.Models;

namespace Celeriac.Operator.Kubernetes;

/// <summary>An object of any kind, read for its metadata alone (the API's PartialObjectMetadata, which KubernetesClient 21 does not model).</summary>
public sealed class PartialObjectMetadata : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ObjectMeta Metadata { get; set; } = new();
}
