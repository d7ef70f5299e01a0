using System.Text.Json;
using System.Text.Json.Serialization;

namespace Celeriac.Workflows;

/// <summary>
/// A workflow as carried on the wire: a task signature (<see cref="Task"/>), a chain or a group of nodes.
/// A chord is a chain whose first node is a group. Exactly one of Task, Chain and Group is set.
/// </summary>
public sealed record WorkflowNode
{
    [JsonPropertyName("task")] public string? Task { get; init; }

    /// <summary>Fixed args; when absent the task receives the previous step's result (see docs/workflows.md).</summary>
    [JsonPropertyName("args")] public JsonElement? Args { get; init; }

    /// <summary>Ignore the previous step's result even when there are no fixed args (the task gets <c>{}</c>).</summary>
    [JsonPropertyName("immutable")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Immutable { get; init; }

    [JsonPropertyName("queue")] public string? Queue { get; init; }
    [JsonPropertyName("chain")] public IReadOnlyList<WorkflowNode>? Chain { get; init; }
    [JsonPropertyName("group")] public IReadOnlyList<WorkflowNode>? Group { get; init; }
}
