using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>
/// The `make` commands that the README and the Makefile's help show work as written from the repository root: each one
/// is run here, or the command behind it is, or the reason why not is written down. A new example fails the first test
/// until it is added to one of the lists.
/// </summary>
public sealed partial class ReadmeCommandsTests
{
    /// <summary>Examples run by a test of this class.</summary>
    private static readonly HashSet<string> Run =
    [
        "make help",
        "make render FILE=examples/taskqueue-sqs.yaml",
        "make run",
        "make run ARGS=\"--tasks 10000 --workers 2 --concurrency 16\"",
        "make cli ARGS=\"queues --db .celeriac-demo/celeriac.db\"",
        "make new-worker NAME=Billing.Tasks DIR=../billing-tasks",
    ];

    /// <summary>Examples checked elsewhere or not runnable here, and why.</summary>
    private static readonly Dictionary<string, string> Elsewhere = new()
    {
        ["make test"] = "the test suite itself",
        ["make bench"] = "the benchmark; minutes of load",
        ["make bench ARGS=--quick"] = "the benchmark",
        ["make bench ARGS=--sqlite"] = "the benchmark",
        ["make bench ARGS=--autoscaling"] = "the benchmark",
        ["make image"] = "needs a container engine; DockerfileTests checks the Dockerfile statically",
        ["make docs"] = "rewrites docs/taskqueue-reference.md; TaskQueueReferenceTests checks it is current",
        ["make pack"] = "ToolPackageTests and WorkerTemplateTests run the dotnet pack behind it",
        ["make install-tools"] = "ToolPackageTests packs and installs the tools as it does, into a tool path",
        ["make install-tools TOOL_PATH=dir"] = "ToolPackageTests installs into a tool path as it does",
        ["make uninstall-tools"] = "ToolPackageTests uninstalls the tools as it does",
        ["make install-template"] = "would install for the user running the tests; WorkerTemplateTests installs the template into a private hive",
        ["make uninstall-template"] = "see make install-template",
        ["make cli ARGS=\"...\""] = "a placeholder",
        ["make new-worker NAME=... DIR=..."] = "a placeholder",
    };

    [Fact]
    public void Every_make_example_of_the_readme_and_the_makefile_help_is_checked()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        var help = string.Join('\n', File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "Makefile")).Where(l => l.Contains("## ", StringComparison.Ordinal)).Select(l => l[l.IndexOf("## ", StringComparison.Ordinal)..]));
        var examples = MakeExample().Matches(readme + "\n" + help).Select(m => m.Value.Trim()).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(examples);
        var notChecked = examples.Where(e => !Run.Contains(e) && !Elsewhere.ContainsKey(e)).ToList();
        Assert.True(notChecked.Count == 0, "examples no test checks: " + string.Join(" | ", notChecked));
    }

    [Fact]
    public async Task Make_help_lists_every_target_with_a_description()
    {
        var (code, output) = await MakeAsync("help");
        Assert.True(code == 0, output);
        foreach (var target in new[] { "run", "test", "cli", "render", "pack", "install-tools", "uninstall-tools", "new-worker", "install-template", "uninstall-template" })
            Assert.Matches($@"(?m)^  make {Regex.Escape(target)}\s+\S", output);
    }

    [Fact]
    public async Task Make_render_takes_a_path_relative_to_the_repository_root()
    {
        var (code, output) = await MakeAsync("render", "FILE=examples/taskqueue-sqs.yaml");
        Assert.True(code == 0, output);
        Assert.Contains("kind: Deployment", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Make_run_then_make_cli_on_what_it_left_behind()
    {
        // The README's make run, smaller; then its make cli lines exactly as written.
        var (run, summary) = await MakeAsync("run", "ARGS=--tasks 40 --workers 2 --concurrency 16");
        Assert.True(run == 0, summary);
        Assert.Contains("Summary after", summary, StringComparison.Ordinal);

        var (queues, depths) = await MakeAsync("cli", "ARGS=queues --db .celeriac-demo/celeriac.db");
        Assert.True(queues == 0, depths);
        Assert.Matches(@"(?m)^high\s+\d+", depths);
        var (list, letters) = await MakeAsync("cli", "ARGS=dead-letters list --db .celeriac-demo/celeriac.db");
        Assert.True(list == 0, letters);
        Assert.Matches(@"\d+ dead letters", letters);
    }

    [Fact]
    public async Task Make_new_worker_installs_nothing_for_the_user_and_writes_a_relative_feed()
    {
        // What make new-worker would run (-n): the commands behind it, which WorkerTemplateTests runs for real.
        var (code, commands) = await MakeAsync("-n", "new-worker", "NAME=Billing.Tasks", "DIR=../billing-tasks");
        Assert.True(code == 0, commands);
        var install = commands.Split('\n').Single(l => l.Contains("new install", StringComparison.Ordinal));
        Assert.Contains("--debug:custom-hive artifacts/template-hive", install, StringComparison.Ordinal);
        var feed = FeedArgument().Match(commands);
        Assert.True(feed.Success, commands);
        Assert.False(Path.IsPathRooted(feed.Groups[1].Value), feed.Value);
        Assert.Equal(Path.Combine(RepositoryRoot.Path, "artifacts", "packages"), Path.GetFullPath(Path.Combine(RepositoryRoot.Path, "..", "billing-tasks", feed.Groups[1].Value)));

        var (own, ownCommands) = await MakeAsync("-n", "new-worker", "NAME=Billing.Tasks", "DIR=../billing-tasks", "FEED=https://pkgs.example.com/v3/index.json");
        Assert.True(own == 0, ownCommands);
        Assert.Contains("--celeriac-feed \"https://pkgs.example.com/v3/index.json\"", ownCommands, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> MakeAsync(params string[] args)
    {
        var start = new ProcessStartInfo("make") { WorkingDirectory = RepositoryRoot.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["CI"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        return (process.ExitCode, await output + await error);
    }

    [GeneratedRegex("""make [a-z-]+(?: [A-Z_]+=(?:"[^"]*"|'[^']*'|[^\s`)"]+))*""")]
    private static partial Regex MakeExample();

    [GeneratedRegex("--celeriac-feed \"([^\"]*)\"")]
    private static partial Regex FeedArgument();
}
