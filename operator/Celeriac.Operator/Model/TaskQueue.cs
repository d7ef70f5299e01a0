using System.Text.Json.Serialization;
using Celeriac.Kubernetes;

namespace Celeriac.Operator.Model;

/// <summary>The <c>celeriac.io/v1alpha1</c> TaskQueue resource.</summary>
public sealed class TaskQueue
{
    public const string Group = TaskQueueResource.Group;
    public const string Version = TaskQueueResource.Version;
    public const string ApiVersionValue = Group + "/" + Version;
    public const string KindValue = TaskQueueResource.Kind;

    public string ApiVersion { get; set; } = ApiVersionValue;
    public string Kind { get; set; } = KindValue;
    public ObjectMeta Metadata { get; set; } = new();
    public TaskQueueSpec Spec { get; set; } = new();

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TaskQueueStatus? Status { get; set; }
}
