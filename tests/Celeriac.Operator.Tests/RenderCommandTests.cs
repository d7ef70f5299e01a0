using System.Diagnostics;

namespace Celeriac.Operator.Tests;

/// <summary>The operator executable's offline <c>render</c> command, run as a user would.</summary>
public sealed class RenderCommandTests
{
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
        Assert.True(process.WaitForExit(60_000), "render did not finish");
        return (process.ExitCode, output.Result, error.Result);
    }

    [Fact]
    public void Render_prints_the_objects_and_exits_zero()
    {
        var (code, output, error) = Run("render", "-f", Path.Combine(AppContext.BaseDirectory, "examples", "taskqueue-redis.yaml"), "--service-monitors");
        Assert.True(code == 0, error);
        Assert.Contains("kind: Deployment", output, StringComparison.Ordinal);
        Assert.Contains("kind: ServiceMonitor", output, StringComparison.Ordinal);
        Assert.Contains("name: thumbnails-default", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_of_an_invalid_spec_prints_the_errors_and_exits_one()
    {
        var file = Path.Combine(Path.GetTempPath(), $"celeriac-invalid-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, TestQueues.Sample.Replace("queues: [urgent]\n", "queues: [missing]\n", StringComparison.Ordinal));
        try
        {
            var (code, output, error) = Run("render", "-f", file);
            Assert.Equal(1, code);
            Assert.Empty(output);
            Assert.Contains("'missing' is not declared", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Render_without_a_file_shows_the_usage()
    {
        var (code, _, error) = Run("render");
        Assert.Equal(2, code);
        Assert.Contains("usage", error, StringComparison.Ordinal);
    }
}
