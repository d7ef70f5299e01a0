using Celeriac.Cli;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary><c>celeriac status</c> reads a TaskQueue through the real kubectl, pointed at the fake API server by a kubeconfig.</summary>
public sealed class CliStatusTests : OperatorTestBase, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("celeriac-cli-status-").FullName;

    private string WriteKubeconfig()
    {
        var path = Path.Combine(_directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: fake
                cluster: {"{"} server: "{Api.Url.ToString().TrimEnd('/')}" {"}"}
            users:
              - name: tester
                user: {"{"} token: test-token {"}"}
            contexts:
              - name: fake
                context: {"{"} cluster: fake, user: tester, namespace: shop {"}"}
            current-context: fake
            """);
        return path;
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApp.Create(output, error).Parse(args).InvokeAsync();
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Status_prints_conditions_pools_and_schedules_of_a_TaskQueue()
    {
        var kubeconfig = WriteKubeconfig();
        await StartOperatorAsync();
        await CreateAsync(TestQueues.Sample + """

              schedules:
                - { name: nightly, task: reports.build, cron: "0 2 * * *", timeZone: Europe/Berlin, queue: bulk }
                - { name: tick, task: demo.noop, interval: 1h, suspend: true }
            """);
        await Eventually.HoldsAsync(() => ConditionStatus("billing", "Reconciled") == "True", "reconciled");

        var (code, output, error) = await RunAsync("status", "billing", "-n", "shop", "--kubeconfig", kubeconfig);
        Assert.True(code == 0, error);
        Assert.Contains("TaskQueue shop/billing", output, StringComparison.Ordinal);
        Assert.Matches(@"Reconciled\s+True\s+Applied", output);
        Assert.Matches(@"general\s+0\s+0", output);
        Assert.Matches(@"urgent\s+0\s+0", output);
        Assert.Matches(@"nightly\s+0 2 \* \* \* Europe/Berlin", output);
        Assert.Matches(@"tick\s+every 1h \(suspended\)", output);

        // The context's namespace is the default.
        Assert.Equal(0, (await RunAsync("status", "billing", "--kubeconfig", kubeconfig)).Code);
    }

    [Fact]
    public async Task A_missing_TaskQueue_is_kubectls_error_and_exit_code_2()
    {
        var (code, _, error) = await RunAsync("status", "nope", "-n", "shop", "--kubeconfig", WriteKubeconfig());
        Assert.Equal(2, code);
        Assert.Contains("error: kubectl:", error, StringComparison.Ordinal);
        Assert.Contains("NotFound", error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
