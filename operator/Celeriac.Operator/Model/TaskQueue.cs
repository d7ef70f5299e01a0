using System.Text.Json.Serialization;

namespace Celeriac.Operator.Model;

/// <summary>The <c>celeriac.io/v1alpha1</c> TaskQueue resource.</summary>
public sealed class TaskQueue
{
    public const string Group = "celeriac.io";
    public const string Version = "v1alpha1";
    public const string ApiVersionValue = Group + "/" + Version;
    public const string KindValue = "TaskQueue";

    public string ApiVersion { get; set; } = ApiVersionValue;
    public string Kind { get; set; } = KindValue;
    public ObjectMeta Metadata { get; set; } = new();
    public TaskQueueSpec Spec { get; set; } = new();

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TaskQueueStatus? Status { get; set; }
}
