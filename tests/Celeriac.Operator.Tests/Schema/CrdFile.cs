using System.Text.Json.Nodes;
using Celeriac.Operator.Yaml;

namespace Celeriac.Operator.Tests.Schema;

/// <summary>The CRD and examples copied next to the test assembly.</summary>
public static class CrdFile
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "crds");

    public static JsonObject Load() =>
        YamlJson.ParseSingle(File.ReadAllText(Path.Combine(Directory, "celeriac.io_taskqueues.yaml"))).AsObject();

    public static JsonObject OpenApiSchema() =>
        Load()["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();

    public static IEnumerable<string> Examples() =>
        System.IO.Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.yaml").Order(StringComparer.Ordinal);
}
