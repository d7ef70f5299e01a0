using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Celeriac.Operator.Model;

/// <summary>JSON (de)serialisation of the model with Kubernetes' conventions: camelCase, nulls omitted.</summary>
public static class ModelJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static TaskQueue ToTaskQueue(JsonNode node) =>
        node.Deserialize<TaskQueue>(Options) ?? throw new JsonException("a TaskQueue object is expected");

    public static JsonObject ToNode<T>(T value) => (JsonObject)JsonSerializer.SerializeToNode(value, Options)!;

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
