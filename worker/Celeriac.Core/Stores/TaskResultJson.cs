using System.Text.Json.Serialization;

namespace Celeriac.Stores;

[JsonSerializable(typeof(TaskResult))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class TaskResultJson : JsonSerializerContext;
