using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Tests.Fake;

namespace Celeriac.Operator.Tests;

/// <summary>In-cluster auth: the service-account token and the cluster CA, over real TLS.</summary>
public sealed class ClusterCaTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("celeriac-sa").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static (X509Certificate2 Ca, X509Certificate2 Server) IssueCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=cluster-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=kubernetes", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);
        using var withKey = issued.CopyWithPrivateKey(serverKey);
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return (ca, server);
    }

    [Fact]
    public async Task Trusts_the_cluster_ca_sends_the_service_account_token_and_reads_the_namespace()
    {
        var (ca, server) = IssueCertificates();
        using (ca)
        using (server)
        {
            await using var api = await FakeKubernetesApi.StartAsync(server);
            api.RequiredToken = "sa-token";
            await File.WriteAllTextAsync(Path.Combine(directory, "token"), "sa-token");
            await File.WriteAllTextAsync(Path.Combine(directory, "ca.crt"), ca.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(directory, "namespace"), "celeriac-system\n");

            var connection = KubernetesConnection.InCluster(directory, "127.0.0.1", api.Url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("celeriac-system", connection.Namespace);
            Assert.Equal("https", connection.Server.Scheme);
            using var client = new KubernetesClient(connection);
            Assert.Empty((await client.ListAsync(ResourceTypes.Deployments, "celeriac-system", null, CancellationToken.None)).Items);
        }
    }

    [Fact]
    public async Task Refuses_a_server_whose_certificate_another_ca_signed()
    {
        var (ca, server) = IssueCertificates();
        var (otherCa, _) = IssueCertificates();
        using (ca)
        using (server)
        using (otherCa)
        {
            await using var api = await FakeKubernetesApi.StartAsync(server);
            using var client = new KubernetesClient(new KubernetesConnection
            {
                Server = new Uri($"https://127.0.0.1:{api.Url.Port}"),
                CertificateAuthority = [otherCa],
            });
            var error = await Assert.ThrowsAsync<KubernetesApiException>(() => client.ListAsync(ResourceTypes.Deployments, "x", null, CancellationToken.None));
            Assert.Equal(503, error.StatusCode);
        }
    }
}
