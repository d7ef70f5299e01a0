using Celeriac.Cli;
using Celeriac.Testing;

namespace Celeriac.EndToEnd.Tests;

/// <summary>The live view on the embedded SQLite broker and its store in the same file, with real worker processes.</summary>
public sealed class SqliteLiveViewProcessTests : LiveViewProcessTests
{
    protected override WorkerProcessScenario NewScenario() => new Scenario();

    protected override async Task<(int Code, string Out, string Err)> RunCliAsync(WorkerProcessScenario scenario, string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApp.Create(output, error).Parse(["--db", ((Scenario)scenario).BrokerPath, .. args]).InvokeAsync();
        return (code, output.ToString(), error.ToString());
    }
}
