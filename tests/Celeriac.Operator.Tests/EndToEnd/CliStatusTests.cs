using Celeriac.Cli;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Tests.Fake;
using Celeriac.Operator.Yaml;
using k8s;
using Celeriac.Kubernetes;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>
/// <c>celeriac status</c> reads a TaskQueue through the real kubectl, pointed at the fake API server by a kubeconfig; so it
/// authenticates in every way kubectl does, exec credential plugins included.
/// </summary>
public sealed class CliStatusTests : OperatorTestBase, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("celeriac-cli-status-").FullName;

    private string WriteKubeconfig() => Kubeconfigs.Write(_directory, "kubeconfig", Api.Url, "{ token: test-token }");

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
        await Eventually.Until(() => ConditionStatus("billing", "Reconciled") == "True", "reconciled");

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

    [Fact]
    public async Task Status_authenticates_with_an_exec_credential_plugin_through_kubectl()
    {
        // kubectl sends bearer tokens only over TLS, so this fake serves HTTPS with a certificate of a CA the kubeconfig names.
        var (ca, certificate) = TestCertificates.IssueLoopback();
        using (ca)
        using (certificate)
        {
            await using var api = await FakeKubernetesApi.StartAsync(certificate);
            api.RequiredToken = "token-from-kubelogin";
            const string apiVersion = "client.authentication.k8s.io/v1";
            var plugin = Kubeconfigs.ExecPlugin(_directory, apiVersion, "token-from-kubelogin");
            var withPlugin = Kubeconfigs.Write(_directory, "exec-kubeconfig", api.Url, Kubeconfigs.ExecUser(plugin, apiVersion), ca);
            using (var kubectl = new k8s.Kubernetes(KubeconfigDiscovery.Load(withPlugin, Path.Combine(_directory, "none"), context: null)))
            {
                var type = ResourceTypes.TaskQueues;
                await kubectl.CustomObjects.CreateNamespacedCustomObjectAsync(YamlJson.ParseSingle(TestQueues.Sample), type.Group, type.Version, "shop", type.Plural);
            }

            var (code, output, error) = await RunAsync("status", "billing", "--kubeconfig", withPlugin);
            Assert.True(code == 0, error);
            Assert.Contains("TaskQueue shop/billing", output, StringComparison.Ordinal);
            Assert.Contains(apiVersion, await File.ReadAllTextAsync(plugin + ".info"), StringComparison.Ordinal);

            // The same cluster with another token is refused: the plugin's token is what the fake checked.
            var withToken = Kubeconfigs.Write(_directory, "token-kubeconfig", api.Url, "{ token: test-token }", ca);
            var (refused, _, refusal) = await RunAsync("status", "billing", "--kubeconfig", withToken);
            Assert.Equal(2, refused);
            Assert.Contains("credentials", refusal, StringComparison.Ordinal);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
