using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Celeriac.Chart.Tests;

/// <summary>
/// The chart's templates as text, and their "skeletons": the YAML left when every line that is only a template action
/// is dropped and every inline action becomes the placeholder <c>TEMPLATED</c>. Without a Helm binary this is how the
/// tests read the static parts (RBAC rules, env, ports, probes) the templates write literally.
/// </summary>
public static partial class Templates
{
    public const string Placeholder = "TEMPLATED";

    public static string Directory => Path.Combine(Repo.Chart, "templates");

    public static IEnumerable<string> Files() =>
        System.IO.Directory.EnumerateFiles(Directory).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".tpl", StringComparison.Ordinal) || f.EndsWith(".txt", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    public static string Text(string name) => File.ReadAllText(Path.Combine(Directory, name));

    public static IReadOnlyList<JsonObject> Skeleton(string name)
    {
        return [.. Yaml.ParseDocuments(ToSkeleton(Text(name).Split('\n'))).OfType<JsonObject>()];
    }

    public static string ToSkeleton(IEnumerable<string> templateLines) =>
        string.Join('\n', templateLines.Where(line => !ActionOnlyLine().IsMatch(line)).Select(line => InlineAction().Replace(line, Placeholder)));

    public static JsonObject SkeletonOf(string name, string kind) =>
        Skeleton(name).Single(d => d["kind"]?.GetValue<string>() == kind);

    [GeneratedRegex(@"^\s*\{\{.*\}\}\s*$")]
    private static partial Regex ActionOnlyLine();

    [GeneratedRegex(@"\{\{.*?\}\}")]
    private static partial Regex InlineAction();
}
