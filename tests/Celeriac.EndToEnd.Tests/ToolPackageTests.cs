using System.Diagnostics;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>
/// The celeriac and celeriac-worker commands ship as .NET tools: packed as `make pack` packs them, installed from that
/// folder as `make install-tools` does (into a tool path here, not for the user), they run.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("celeriac-tools-").FullName;

    [Theory]
    [InlineData("Celeriac.Cli", "celeriac", "enqueue")]
    [InlineData("Celeriac.Worker", "celeriac-worker", "--concurrency")]
    public async Task A_packed_tool_installs_into_a_tool_path_and_answers_help(string package, string command, string expected)
    {
        var repository = RepositoryRoot.Path;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        // A version of its own, so that no package cached by an earlier run can stand in for this one.
        var version = $"0.1.0-test{DateTime.UtcNow:yyyyMMddHHmmss}";
        var packages = Path.Combine(_root, "packages");
        var tools = Path.Combine(_root, "tools");

        await RunAsync(repository, "dotnet", "pack", Path.Combine(repository, "worker", package), "-c", configuration, "--no-build", "-o", packages, $"-p:Version={version}");
        Assert.True(File.Exists(Path.Combine(packages, $"{package}.{version}.nupkg")));
        await RunAsync(_root, "dotnet", "tool", "install", package, "--tool-path", tools, "--version", version, "--add-source", packages);

        var help = await RunAsync(_root, Path.Combine(tools, command), "--help");
        Assert.Contains(expected, help, StringComparison.Ordinal);

        await RunAsync(_root, "dotnet", "tool", "uninstall", package, "--tool-path", tools);
        Assert.False(File.Exists(Path.Combine(tools, command)));
    }

    private async Task<string> RunAsync(string directory, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // The tool's restore stays in this test's directory, as make install-tools keeps it in artifacts/.
        start.Environment["NUGET_PACKAGES"] = Path.Combine(_root, "nuget");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}:\n{await output}\n{await error}");
        return await output;
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }
}
