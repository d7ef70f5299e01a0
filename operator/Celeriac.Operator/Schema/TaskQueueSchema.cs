using System.Text.Json.Nodes;
using Celeriac.Operator.Yaml;

namespace Celeriac.Operator.Schema;

/// <summary>The TaskQueue CRD (crds/celeriac.io_taskqueues.yaml, embedded at build) and its OpenAPI schema: the one source of the fields.</summary>
public static class TaskQueueSchema
{
    private static readonly Lazy<JsonObject> Crd = new(() =>
    {
        using var stream = typeof(TaskQueueSchema).Assembly.GetManifestResourceStream("celeriac.io_taskqueues.yaml")
            ?? throw new InvalidOperationException("The TaskQueue CRD is not embedded in the operator.");
        using var reader = new StreamReader(stream);
        return YamlJson.ParseSingle(reader.ReadToEnd()).AsObject();
    });

    public static JsonObject Definition => Crd.Value;

    /// <summary>The openAPIV3Schema of the served version.</summary>
    public static JsonObject OpenApiSchema =>
        Crd.Value["spec"]!["versions"]!.AsArray().First(v => v!["served"]?.GetValue<bool>() != false)!["schema"]!["openAPIV3Schema"]!.AsObject();

    /// <summary>The schema of <c>spec</c>.</summary>
    public static JsonObject SpecSchema => OpenApiSchema["properties"]!["spec"]!.AsObject();
}
