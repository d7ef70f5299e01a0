using System.Diagnostics;

namespace Celeriac.Operator.Tests;

/// <summary>The operator executable's command line and its offline <c>render</c> command, run as a user would.</summary>
public sealed class RenderCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("celeriac-render-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Example(string file) => Path.Combine(AppContext.BaseDirectory, "examples", file);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "celeriac-operator.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the command did not finish");
        return (process.ExitCode, output.Result, error.Result);
    }

    private static void AssertNoStackTrace(string error) =>
        Assert.DoesNotMatch(@"\bat [A-Z][A-Za-z0-9_.]+\(|Unhandled exception", error);

    [Fact]
    public void Render_prints_the_objects_and_exits_zero()
    {
        var (code, output, error) = Run("render", "-f", Example("taskqueue-redis.yaml"), "--service-monitors");
        Assert.True(code == 0, error);
        Assert.Contains("kind: Deployment", output, StringComparison.Ordinal);
        Assert.Contains("kind: ServiceMonitor", output, StringComparison.Ordinal);
        Assert.Contains("name: thumbnails-default", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_files_a_directory_and_a_shell_glob_are_all_rendered()
    {
        var redis = Example("taskqueue-redis.yaml");
        var sqs = Example("taskqueue-sqs.yaml");
        var repeated = Run("render", "-f", redis, "-f", sqs);
        Assert.True(repeated.ExitCode == 0, repeated.Error);
        Assert.Contains("name: thumbnails-default", repeated.Output, StringComparison.Ordinal);
        Assert.Contains("name: billing-", repeated.Output, StringComparison.Ordinal);

        File.Copy(redis, Path.Combine(_directory, "a.yaml"));
        File.Copy(sqs, Path.Combine(_directory, "b.yml"));
        File.WriteAllText(Path.Combine(_directory, "notes.txt"), "not a manifest");
        var directory = Run("render", "-f", _directory);
        Assert.True(directory.ExitCode == 0, directory.Error);
        Assert.Equal(repeated.Output, directory.Output);

        // What `render -f *.yaml` becomes after the shell expands the glob.
        var glob = Run("render", "-f", redis, sqs);
        Assert.True(glob.ExitCode == 0, glob.Error);
        Assert.Equal(repeated.Output, glob.Output);
    }

    [Fact]
    public void An_invalid_spec_prints_the_errors_and_exits_one()
    {
        var file = Write("invalid.yaml", TestQueues.Sample.Replace("queues: [urgent]\n", "queues: [missing]\n", StringComparison.Ordinal));
        var (code, output, error) = Run("render", "-f", file);
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains("'missing' is not declared", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_field_is_an_error_with_the_file_the_line_and_the_field()
    {
        var text = TestQueues.Sample.Replace("concurrency: 16", "concurency: 16", StringComparison.Ordinal);
        var line = text.Split('\n').ToList().FindIndex(l => l.Contains("concurency", StringComparison.Ordinal)) + 1;
        var file = Write("misspelt.yaml", text);
        var (code, output, error) = Run("render", "-f", file);
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains($"{file}:{line}:", error, StringComparison.Ordinal);
        Assert.Contains("spec.pools[0].concurency: unknown field", error, StringComparison.Ordinal);
        AssertNoStackTrace(error);
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_an_error_with_its_line()
    {
        var file = Write("types.yaml", TestQueues.Sample.Replace("concurrency: 16", "concurrency: sixteen", StringComparison.Ordinal));
        var (code, _, error) = Run("render", "-f", file);
        Assert.Equal(1, code);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(file)}:\d+:\d+: spec\.pools\[0\]\.concurrency: integer is expected", error);
    }

    [Theory]
    [InlineData("unclosed.yaml", "apiVersion: celeriac.io/v1alpha1\nkind: TaskQueue\nspec: { queues: [ { name: a }\n", "not valid YAML")]
    [InlineData("empty.yaml", "", "no TaskQueue in the file (it is empty)")]
    [InlineData("comments.yaml", "# nothing here\n---\n", "no TaskQueue in the file")]
    [InlineData("deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\n", "kind 'Deployment' of apiVersion 'apps/v1' is not a TaskQueue")]
    [InlineData("list.yaml", "- a\n- b\n", "a document must be a mapping")]
    public void Bad_files_are_errors_with_the_file_and_never_a_crash(string name, string text, string expected)
    {
        var file = Write(name, text);
        var (code, output, error) = Run("render", "-f", file);
        Assert.True(code == 1, $"exit {code}: {error}");
        Assert.Empty(output);
        Assert.Contains(file, error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        AssertNoStackTrace(error);
    }

    [Fact]
    public void A_missing_file_is_an_error_and_the_others_are_not_rendered()
    {
        var (code, output, error) = Run("render", "-f", Example("taskqueue-redis.yaml"), "-f", Path.Combine(_directory, "nope.yaml"));
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains("nope.yaml: no such file or directory", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("render")]
    [InlineData("render", "--bogus")]
    [InlineData("bogus")]
    [InlineData("run", "--bogus")]
    public void A_wrong_command_line_shows_the_usage_and_exits_two(params string[] args)
    {
        var (code, _, error) = Run(args);
        Assert.True(code == 2, $"exit {code}: {error}");
        Assert.Contains("render", error, StringComparison.Ordinal);
        AssertNoStackTrace(error);
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("render", output, StringComparison.Ordinal);
        Assert.Contains("run", output, StringComparison.Ordinal);
    }
}
