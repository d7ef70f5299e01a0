using System.Text.Json.Nodes;
using Celeriac.Operator.Yaml;

namespace Celeriac.Operator.Tests.Schema;

/// <summary>The CRD and examples copied next to the test assembly, and the repository's own copies (which <c>make docs</c> rewrites).</summary>
public static class CrdFile
{
    public const string Name = "celeriac.io_taskqueues.yaml";

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "crds");

    public static string Text() => File.ReadAllText(Path.Combine(Directory, Name));

    public static JsonObject Load() => YamlJson.ParseSingle(Text()).AsObject();

    public static JsonObject OpenApiSchema() =>
        Load()["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();

    public static IEnumerable<string> Examples() =>
        System.IO.Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.yaml").Order(StringComparer.Ordinal);

    /// <summary>crds/ and the chart's copy of it, in the repository the tests were built from.</summary>
    public static IReadOnlyList<string> RepositoryCopies()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Celeriac.slnx")))
                return [Path.Combine(directory.FullName, "crds", Name), Path.Combine(directory.FullName, "charts", "celeriac-operator", "crds", Name)];
        }
        throw new InvalidOperationException("the repository root (Celeriac.slnx) is not above the test binaries");
    }
}
