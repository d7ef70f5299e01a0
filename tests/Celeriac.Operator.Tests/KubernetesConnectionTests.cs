using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Tests.Fake;

namespace Celeriac.Operator.Tests;

public sealed class KubernetesConnectionTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("celeriac-kubeconfig").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static string SelfSignedPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    }

    private static string KubeConfig(string server, string user) => $$"""
        apiVersion: v1
        kind: Config
        current-context: dev
        contexts:
          - name: dev
            context: { cluster: c1, user: u1, namespace: team-a }
          - name: other
            context: { cluster: c2, user: u2 }
        clusters:
          - name: c1
            cluster: { server: "{{server}}", certificate-authority-data: {{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(SelfSignedPem()))}} }
          - name: c2
            cluster: { server: "https://other.example:6443", insecure-skip-tls-verify: true }
        users:
          - name: u1
            user: {{user}}
          - name: u2
            user: { token: other-token }
        """;

    [Fact]
    public void Reads_the_current_context_server_ca_token_and_namespace()
    {
        var connection = KubernetesConnection.FromKubeConfig(KubeConfig("https://api.example:6443", "{ token: abc }"), directory);
        Assert.Equal(new Uri("https://api.example:6443"), connection.Server);
        Assert.Equal("abc", connection.Token);
        Assert.Equal("team-a", connection.Namespace);
        Assert.Single(connection.CertificateAuthority!);
        Assert.Equal("CN=test-ca", connection.CertificateAuthority![0].Subject);
        Assert.False(connection.InsecureSkipTlsVerify);
    }

    [Fact]
    public void Reads_a_named_context_and_resolves_relative_token_files()
    {
        var other = KubernetesConnection.FromKubeConfig(KubeConfig("https://api.example:6443", "{ token: abc }"), directory, "other");
        Assert.Equal("other-token", other.Token);
        Assert.True(other.InsecureSkipTlsVerify);
        var withFile = KubernetesConnection.FromKubeConfig(KubeConfig("https://api.example:6443", "{ tokenFile: token.txt }"), directory);
        Assert.Equal(Path.Combine(directory, "token.txt"), withFile.TokenFile);
    }

    [Fact]
    public void Reads_client_certificates()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=admin", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(certificate.ExportCertificatePem()));
        var keyData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(key.ExportPkcs8PrivateKeyPem()));
        var connection = KubernetesConnection.FromKubeConfig(
            KubeConfig("https://api.example:6443", $"{{ client-certificate-data: {certData}, client-key-data: {keyData} }}"), directory);
        Assert.Equal("CN=admin", connection.ClientCertificate!.Subject);
        Assert.True(connection.ClientCertificate.HasPrivateKey);
    }

    [Fact]
    public async Task Sends_the_bearer_token_and_rereads_a_rotated_token_file()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.RequiredToken = "first";
        var tokenFile = Path.Combine(directory, "token");
        await File.WriteAllTextAsync(tokenFile, "first\n");
        using var client = new KubernetesClient(new KubernetesConnection { Server = api.Url, TokenFile = tokenFile });
        var list = await client.ListAsync(ResourceTypes.TaskQueues, "default", null, CancellationToken.None);
        Assert.Empty(list.Items);

        api.RequiredToken = "second";
        await File.WriteAllTextAsync(tokenFile, "second\n");
        Assert.Empty((await client.ListAsync(ResourceTypes.TaskQueues, "default", null, CancellationToken.None)).Items);

        using var anonymous = new KubernetesClient(new KubernetesConnection { Server = api.Url });
        var denied = await Assert.ThrowsAsync<KubernetesApiException>(() => anonymous.ListAsync(ResourceTypes.TaskQueues, "default", null, CancellationToken.None));
        Assert.Equal(401, denied.StatusCode);
    }

    [Fact]
    public async Task Replace_with_a_stale_resource_version_is_a_conflict()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        using var client = new KubernetesClient(new KubernetesConnection { Server = api.Url });
        var lease = new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["kind"] = "Lease",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "l", ["namespace"] = "default" },
            ["spec"] = new System.Text.Json.Nodes.JsonObject { ["holderIdentity"] = "a" },
        };
        var created = await client.CreateAsync(ResourceTypes.Leases, lease, CancellationToken.None);
        var first = (System.Text.Json.Nodes.JsonObject)created.DeepClone();
        first["spec"]!["holderIdentity"] = "b";
        await client.ReplaceAsync(ResourceTypes.Leases, first, CancellationToken.None);
        created["spec"]!["holderIdentity"] = "c";
        var conflict = await Assert.ThrowsAsync<KubernetesApiException>(() => client.ReplaceAsync(ResourceTypes.Leases, created, CancellationToken.None));
        Assert.True(conflict.IsConflict);
        var exists = await Assert.ThrowsAsync<KubernetesApiException>(() => client.CreateAsync(ResourceTypes.Leases, lease, CancellationToken.None));
        Assert.True(exists.IsConflict);
        Assert.Null(await client.GetAsync(ResourceTypes.Leases, "default", "missing", CancellationToken.None));
        Assert.False(await client.IsServedAsync(ResourceTypes.ServiceMonitors, CancellationToken.None));
        Assert.True(await client.IsServedAsync(ResourceTypes.Deployments, CancellationToken.None));
    }

    [Fact]
    public async Task Apply_conflicts_with_another_managers_field_unless_forced()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        using var client = new KubernetesClient(new KubernetesConnection { Server = api.Url });
        System.Text.Json.Nodes.JsonObject Service(string port) => new()
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "s", ["namespace"] = "default" },
            ["spec"] = new System.Text.Json.Nodes.JsonObject { ["type"] = port },
        };
        await client.ApplyAsync(ResourceTypes.Services, Service("ClusterIP"), "one", false, null, CancellationToken.None);
        var conflict = await Assert.ThrowsAsync<KubernetesApiException>(() => client.ApplyAsync(ResourceTypes.Services, Service("NodePort"), "two", false, null, CancellationToken.None));
        Assert.Equal(409, conflict.StatusCode);
        var forced = await client.ApplyAsync(ResourceTypes.Services, Service("NodePort"), "two", true, null, CancellationToken.None);
        Assert.Equal("NodePort", forced["spec"]!["type"]!.GetValue<string>());
    }
}
