using Celeriac.Operator.Kubernetes;
using Celeriac.Kubernetes;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>
/// The operator run from a laptop against a managed cluster: its kubeconfig user runs an exec credential plugin (as
/// <c>aws eks get-token</c>, <c>kubelogin</c> and <c>gke-gcloud-auth-plugin</c> do), and the fake, like the API server,
/// answers 401 to any request without the plugin's bearer token.
/// </summary>
public sealed class ExecCredentialTests : OperatorTestBase, IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("celeriac-exec-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task An_operator_whose_kubeconfig_runs_a_credential_plugin_reconciles()
    {
        const string apiVersion = "client.authentication.k8s.io/v1";
        var plugin = Kubeconfigs.ExecPlugin(directory, apiVersion, "token-from-aws-eks-get-token");
        var kubeconfig = Kubeconfigs.Write(directory, "config", Api.Url, Kubeconfigs.ExecUser(plugin, apiVersion));
        RequireToken("token-from-aws-eks-get-token");

        await StartOperatorAsync(leaderElection: true, identity: "laptop",
            kubernetes: KubeconfigDiscovery.Load(kubeconfig, Path.Combine(directory, "none"), context: null));
        await CreateAsync();
        await Eventually.Until(() => ConditionStatus("billing", "Reconciled") == "True", "the operator reconciles with the plugin's token");
        Assert.NotNull(Deployment("billing-general"));
        Assert.Equal("laptop", Api.Get("coordination.k8s.io/v1", "leases", "celeriac-system", "celeriac-operator-leader")!["spec"]!["holderIdentity"]!.GetValue<string>());
    }
}
