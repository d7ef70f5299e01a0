using System.Text.Json.Serialization;

namespace Celeriac.Workflows;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WorkflowNode))]
[JsonSerializable(typeof(List<WorkflowFrame>))]
internal sealed partial class WorkflowJson : JsonSerializerContext;
