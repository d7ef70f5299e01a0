using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Celeriac.Chart.Tests;

/// <summary>
/// What can be checked of the Dockerfiles without a container engine: final stages are not the SDK and run as a
/// numeric non-root user, every COPY source exists, and every project a published project references (transitively)
/// is inside what the build stage copies, so adding a project reference cannot silently break `make image`.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string, string> Images() => new()
    {
        { "Dockerfile", "worker/Celeriac.Worker/Celeriac.Worker.csproj" },
        { "Dockerfile", "operator/Celeriac.Operator/Celeriac.Operator.csproj" },
        { "Dockerfile", "worker/Celeriac.Cli/Celeriac.Cli.csproj" },
        { "examples/worker/Dockerfile", "examples/worker/Acme.Tasks/Acme.Tasks.csproj" },
    };

    private sealed record Stage(string From, string? Name, List<string> Lines);

    private static List<Stage> Stages(string dockerfile)
    {
        var stages = new List<Stage>();
        foreach (var raw in Repo.Read(dockerfile.Split('/')).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var from = FromLine().Match(line);
            if (from.Success) stages.Add(new Stage(from.Groups["image"].Value, from.Groups["name"].Success ? from.Groups["name"].Value : null, []));
            else if (stages.Count > 0) stages[^1].Lines.Add(line);
        }
        return stages;
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void The_published_project_and_everything_it_references_is_copied_into_the_build(string dockerfile, string project)
    {
        var copied = Stages(dockerfile).SelectMany(s => s.Lines)
            .Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(l => l["COPY ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1))
            .ToList();
        Assert.NotEmpty(copied);
        foreach (var source in copied) Assert.True(File.Exists(Repo.PathOf(source)) || Directory.Exists(Repo.PathOf(source)), $"{dockerfile} copies {source}, which does not exist");
        Assert.Contains("Directory.Packages.props", copied);
        Assert.Contains("Directory.Build.props", copied);

        foreach (var needed in ProjectClosure(project))
        {
            var relative = Path.GetRelativePath(Repo.Root, needed).Replace('\\', '/');
            Assert.True(copied.Any(c => c.EndsWith('/') && relative.StartsWith(c, StringComparison.Ordinal)),
                $"{dockerfile}: {project} needs {relative}, which no COPY brings into the build");
        }
    }

    [Theory]
    [InlineData("Dockerfile", "worker")]
    [InlineData("Dockerfile", "operator")]
    [InlineData("Dockerfile", "dashboard")]
    [InlineData("examples/worker/Dockerfile", null)]
    public void The_final_image_has_no_sdk_and_runs_as_a_numeric_non_root_user(string dockerfile, string? target)
    {
        var stages = Stages(dockerfile);
        var final = target is null ? stages[^1] : stages.Single(s => s.Name == target);
        Assert.DoesNotContain("sdk", final.From, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(final.Lines, l => l.StartsWith("RUN ", StringComparison.Ordinal));
        var user = final.Lines.LastOrDefault(l => l.StartsWith("USER ", StringComparison.Ordinal));
        if (target is null)
        {
            // The example builds FROM the worker host image, which already sets the user; it must not reset it.
            Assert.Null(user);
            Assert.Equal("${WORKER_IMAGE}", final.From);
        }
        else
        {
            Assert.NotNull(user);
            var uid = int.Parse(user!["USER ".Length..].Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.NotEqual(0, uid);
        }
    }

    [Fact]
    public void The_build_context_leaves_out_build_outputs_and_local_state()
    {
        var ignored = Repo.Read(".dockerignore").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var pattern in new[] { "**/bin/", "**/obj/", ".git/", "**/*.db" }) Assert.Contains(pattern, ignored);
    }

    private static IEnumerable<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Repo.PathOf(project.Split('/'))]);
        while (pending.TryPop(out var path))
        {
            path = Path.GetFullPath(path);
            if (!seen.Add(path)) continue;
            yield return path;
            var document = XDocument.Load(path);
            foreach (var reference in document.Descendants("ProjectReference"))
                pending.Push(Path.Combine(Path.GetDirectoryName(path)!, reference.Attribute("Include")!.Value.Replace('\\', '/')));
            // Files a project takes from outside its folder (the operator embeds the CRD) must be in the build too.
            foreach (var item in document.Descendants().Where(e => e.Name.LocalName is "EmbeddedResource" or "None" or "Content" or "Compile"))
            {
                var include = item.Attribute("Include")?.Value.Replace('\\', '/');
                if (include is null || !include.StartsWith("../", StringComparison.Ordinal) || include.Contains('*', StringComparison.Ordinal)) continue;
                yield return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, include));
            }
        }
    }

    [GeneratedRegex(@"^FROM\s+(--platform=\S+\s+)?(?<image>\S+)(\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();
}
