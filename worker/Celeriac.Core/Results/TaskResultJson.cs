using System.Text.Json.Serialization;

namespace Celeriac.Results;

[JsonSerializable(typeof(TaskResult))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class TaskResultJson : JsonSerializerContext;
