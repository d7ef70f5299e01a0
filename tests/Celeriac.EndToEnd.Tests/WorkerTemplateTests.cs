using System.Diagnostics;
using Celeriac.Client;
using Celeriac.Hosting;
using Celeriac.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>
/// `dotnet new celeriac-worker` makes a task project that builds against the packed Celeriac.Core, outside this
/// repository, and whose assembly the real worker host loads and runs.
/// </summary>
public sealed class WorkerTemplateTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "celeriac-template-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task A_project_from_the_template_builds_on_the_package_and_its_task_runs_in_the_worker_host()
    {
        var repository = RepositoryRoot.Path;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        // A version of its own, so that no package cached by an earlier run can stand in for this one.
        var version = $"0.1.0-test{DateTime.UtcNow:yyyyMMddHHmmss}";
        var packages = Path.Combine(_root, "packages");
        var hive = Path.Combine(_root, "hive");
        var project = Path.Combine(_root, "billing");

        await DotnetAsync(repository, "pack", Path.Combine(repository, "worker", "Celeriac.Core"), "-c", configuration, "--no-build", "-o", packages, $"-p:Version={version}");
        Assert.True(File.Exists(Path.Combine(packages, $"Celeriac.Core.{version}.nupkg")));

        await DotnetAsync(_root, "new", "install", Path.Combine(repository, "templates", "celeriac-worker"), "--debug:custom-hive", hive);
        // A feed relative to the project, as make new-worker gives it: the generated nuget.config holds no path of this machine.
        await DotnetAsync(_root, "new", "celeriac-worker", "-n", "Billing.Tasks", "-o", project, "--celeriac-version", version, "--celeriac-feed", Path.Combine("..", "packages"), "--debug:custom-hive", hive);
        Assert.Contains($"value=\"{Path.Combine("..", "packages")}\"", await File.ReadAllTextAsync(Path.Combine(project, "nuget.config")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(project, "Billing.Tasks.csproj")));
        Assert.Contains("namespace Billing.Tasks;", await File.ReadAllTextAsync(Path.Combine(project, "GreetTask.cs")), StringComparison.Ordinal);
        Assert.Contains("/app/tasks/Billing.Tasks.dll", await File.ReadAllTextAsync(Path.Combine(project, "Dockerfile")), StringComparison.Ordinal);
        Assert.Contains($"Version=\"{version}\"", await File.ReadAllTextAsync(Path.Combine(project, "Billing.Tasks.csproj")), StringComparison.Ordinal);

        await DotnetAsync(project, "build", "-c", "Release", "-o", Path.Combine(project, "out"));
        var assembly = Path.Combine(project, "out", "Billing.Tasks.dll");
        Assert.True(File.Exists(assembly));

        var broker = Path.Combine(_root, "celeriac.db");
        await using var worker = LocalWorkerProcess.Start(["--tasks", assembly, "--db", broker, "--urls", "http://127.0.0.1:0"]);
        var empty = new ConfigurationBuilder().Build();
        await using var services = new ServiceCollection().AddLogging()
            .AddCeleriac(empty, c => c.UseSqliteBroker(o => o.Path = broker)).BuildServiceProvider();
        var id = await services.GetRequiredService<ITaskClient>().EnqueueAsync("greet", new { name = "Ada" });
        var greeting = await services.GetRequiredService<TaskControl>().Handle(id).GetResultAsync<string>(TimeSpan.FromSeconds(60));
        Assert.True(greeting == "Hello, Ada!", worker.Output);
    }

    private async Task DotnetAsync(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // Packages restored for the generated project stay in this test's directory.
        start.Environment["NUGET_PACKAGES"] = Path.Combine(_root, "nuget");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited {process.ExitCode}:\n{await output}\n{await error}");
    }


    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }
}
