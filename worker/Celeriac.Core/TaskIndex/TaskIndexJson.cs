using System.Text.Json.Serialization;

namespace Celeriac.TaskIndex;

[JsonSerializable(typeof(IReadOnlyList<TaskEvent>))]
[JsonSerializable(typeof(List<TaskEvent>))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
internal sealed partial class TaskIndexJson : JsonSerializerContext;
