using System.Text.Json.Serialization;

namespace Celeriac.Workflows;

/// <summary>
/// One frame of a task's continuation (the envelope's <c>chain</c> field is a stack of them, innermost first):
/// either the rest of a chain (<see cref="Then"/>), or membership of a group (<see cref="Join"/>, the member's
/// <see cref="Index"/> among <see cref="Size"/>) whose list of results continues with the frames below it.
/// An empty stack means the result is the workflow's result, stored under the envelope's <c>root</c>.
/// </summary>
public sealed record WorkflowFrame
{
    [JsonPropertyName("then")] public IReadOnlyList<WorkflowNode>? Then { get; init; }
    [JsonPropertyName("join")] public string? Join { get; init; }

    [JsonPropertyName("index")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Index { get; init; }

    [JsonPropertyName("size")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Size { get; init; }
}
