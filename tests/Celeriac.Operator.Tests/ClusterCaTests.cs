using System.Security.Cryptography.X509Certificates;
using Celeriac.Operator.Tests.Fake;
using k8s;
using k8s.Authentication;

namespace Celeriac.Operator.Tests;

/// <summary>
/// In-cluster auth as KubernetesClient's <c>InClusterConfig()</c> sets it up (the cluster CA from ca.crt, the service-account
/// token read from its file), against the fake serving real TLS and requiring the token.
/// </summary>
public sealed class ClusterCaTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("celeriac-sa").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private KubernetesClientConfiguration InCluster(int port, X509Certificate2 ca)
    {
        var caFile = Path.Combine(directory, "ca.crt");
        File.WriteAllText(caFile, ca.ExportCertificatePem());
        var caCerts = new X509Certificate2Collection();
        caCerts.ImportFromPemFile(caFile);
        return new KubernetesClientConfiguration
        {
            Host = $"https://127.0.0.1:{port}",
            SslCaCerts = caCerts,
            TokenProvider = new TokenFileAuth(Path.Combine(directory, "token")),
        };
    }

    [Fact]
    public async Task Trusts_the_cluster_ca_and_sends_the_service_account_token()
    {
        var (ca, server) = TestCertificates.IssueLoopback();
        using (ca)
        using (server)
        {
            await using var api = await FakeKubernetesApi.StartAsync(server);
            api.RequiredToken = "sa-token";
            await File.WriteAllTextAsync(Path.Combine(directory, "token"), "sa-token\n");
            using var client = new k8s.Kubernetes(InCluster(api.Url.Port, ca));
            Assert.Empty((await client.AppsV1.ListNamespacedDeploymentAsync("celeriac-system")).Items);
            Assert.Contains(api.Requests, r => r.StartsWith("GET /apis/apps/v1/namespaces/celeriac-system/deployments", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Refuses_a_server_whose_certificate_another_ca_signed()
    {
        var (ca, server) = TestCertificates.IssueLoopback();
        var (otherCa, _) = TestCertificates.IssueLoopback();
        using (ca)
        using (server)
        using (otherCa)
        {
            await using var api = await FakeKubernetesApi.StartAsync(server);
            await File.WriteAllTextAsync(Path.Combine(directory, "token"), "sa-token");
            using var client = new k8s.Kubernetes(InCluster(api.Url.Port, otherCa));
            await Assert.ThrowsAsync<HttpRequestException>(() => client.AppsV1.ListNamespacedDeploymentAsync("x"));
            Assert.Empty(api.Requests);
        }
    }
}
