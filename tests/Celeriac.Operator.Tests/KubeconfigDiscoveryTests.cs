using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Tests.Fake;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;
using Celeriac.Kubernetes;

namespace Celeriac.Operator.Tests;

/// <summary>Kubeconfigs found and merged as kubectl does ("Organizing Cluster Access Using kubeconfig Files"), read by KubernetesClient.</summary>
public sealed class KubeconfigDiscoveryTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("celeriac-kubeconfig").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string NoDefault => Path.Combine(directory, "no-such-default");

    private static string CaPem(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    }

    private string File(string subdirectory, string name, string content)
    {
        var dir = Directory.CreateDirectory(Path.Combine(directory, subdirectory)).FullName;
        var path = Path.Combine(dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private string TwoContexts() => File("one", "config", $$"""
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
            cluster: { server: "https://api.example:6443", certificate-authority-data: {{Convert.ToBase64String(Encoding.UTF8.GetBytes(CaPem("CN=test-ca")))}} }
          - name: c2
            cluster: { server: "https://other.example:6443", insecure-skip-tls-verify: true }
        users:
          - name: u1
            user: { token: abc }
          - name: u2
            user: { token: other-token }
        """);

    [Fact]
    public void Reads_the_current_context_server_ca_token_and_namespace()
    {
        var config = KubeconfigDiscovery.Load(TwoContexts(), NoDefault, context: null);
        Assert.Equal("https://api.example:6443", config.Host);
        Assert.Equal("abc", config.AccessToken);
        Assert.Equal("team-a", config.Namespace);
        Assert.Equal("CN=test-ca", Assert.Single(config.SslCaCerts).Subject);
        Assert.False(config.SkipTlsVerify);
    }

    [Fact]
    public void A_named_context_replaces_the_current_one()
    {
        var config = KubeconfigDiscovery.Load(TwoContexts(), NoDefault, context: "other");
        Assert.Equal("https://other.example:6443", config.Host);
        Assert.Equal("other-token", config.AccessToken);
        Assert.True(config.SkipTlsVerify);
        Assert.Throws<KubeConfigException>(() => KubeconfigDiscovery.Load(TwoContexts(), NoDefault, context: "missing"));
    }

    [Fact]
    public void Every_KUBECONFIG_file_is_merged_the_first_to_set_a_value_wins_and_missing_files_are_skipped()
    {
        // The first file: the current context and a user; the second: the cluster (its CA relative to its own directory),
        // a user of the same name (shadowed) and its own current context (ignored).
        var first = File("first", "config", """
            apiVersion: v1
            kind: Config
            current-context: dev
            contexts:
              - name: dev
                context: { cluster: shared, user: me, namespace: team-a }
            users:
              - name: me
                user: { token: from-the-first-file }
            """);
        File("second", "ca.pem", CaPem("CN=second-ca"));
        var second = File("second", "config", """
            apiVersion: v1
            kind: Config
            current-context: elsewhere
            clusters:
              - name: shared
                cluster: { server: "https://shared.example:6443", certificate-authority: ca.pem }
            users:
              - name: me
                user: { token: from-the-second-file }
            contexts:
              - name: elsewhere
                context: { cluster: shared, user: me }
            """);
        var variable = string.Join(Path.PathSeparator, Path.Combine(directory, "missing"), first, "", second);

        var config = KubeconfigDiscovery.Load(variable, NoDefault, context: null);
        Assert.Equal("dev", config.CurrentContext);
        Assert.Equal("https://shared.example:6443", config.Host);
        Assert.Equal("from-the-first-file", config.AccessToken);
        Assert.Equal("team-a", config.Namespace);
        Assert.Equal("CN=second-ca", Assert.Single(config.SslCaCerts).Subject);

        // A context of a later file can be chosen by name.
        Assert.Null(KubeconfigDiscovery.Load(variable, NoDefault, context: "elsewhere").Namespace);
    }

    [Fact]
    public void Without_a_kubeconfig_the_error_says_where_it_looked()
    {
        var unset = Assert.Throws<KubeConfigException>(() => KubeconfigDiscovery.Load(null, NoDefault, context: null));
        Assert.Contains(NoDefault, unset.Message, StringComparison.Ordinal);
        var missing = Path.Combine(directory, "missing");
        var none = Assert.Throws<KubeConfigException>(() => KubeconfigDiscovery.Load(missing, NoDefault, context: null));
        Assert.Contains(missing, none.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("client.authentication.k8s.io/v1")]
    [InlineData("client.authentication.k8s.io/v1beta1")]
    public async Task An_exec_credential_plugins_token_is_the_bearer_token_the_server_sees(string apiVersion)
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.RequiredToken = "token-from-the-plugin";
        var plugin = Kubeconfigs.ExecPlugin(directory, apiVersion, "token-from-the-plugin");
        var kubeconfig = Kubeconfigs.Write(directory, "config", api.Url, Kubeconfigs.ExecUser(plugin, apiVersion));

        using var client = new k8s.Kubernetes(KubeconfigDiscovery.Load(kubeconfig, NoDefault, context: null));
        var (items, _) = await client.ListAsync(ResourceTypes.TaskQueues, "shop", null, CancellationToken.None);
        Assert.Empty(items);
        Assert.Contains(api.Requests, r => r.StartsWith("GET /apis/celeriac.io/v1alpha1/namespaces/shop/taskqueues", StringComparison.Ordinal));
        // The plugin was told which version of the protocol to answer in.
        Assert.Contains(apiVersion, System.IO.File.ReadAllText(plugin + ".info"), StringComparison.Ordinal);

        // Without the plugin's token the fake refuses, so the success above was the plugin's doing.
        using var anonymous = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = api.Url.ToString() });
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => anonymous.ListAsync(ResourceTypes.TaskQueues, "shop", null, CancellationToken.None));
        Assert.Equal(401, refused.StatusCode());
    }

    [Fact]
    public void A_plugin_that_prints_no_credential_is_a_clear_error()
    {
        var plugin = Kubeconfigs.Script(directory, "broken-plugin.sh", "#!/bin/sh\necho 'token expired, run: aws sso login' >&2\nexit 1");
        var kubeconfig = Kubeconfigs.Write(directory, "config", new Uri("https://api.example:6443"), Kubeconfigs.ExecUser(plugin, "client.authentication.k8s.io/v1"));
        var error = Assert.Throws<KubeConfigException>(() => KubeconfigDiscovery.Load(kubeconfig, NoDefault, context: null));
        Assert.Contains("external exec failed", error.Message, StringComparison.Ordinal);
    }
}
