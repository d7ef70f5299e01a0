using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Celeriac.Operator.Yaml;

namespace Celeriac.Operator.Kubernetes;

/// <summary>
/// Where the API server is and how to authenticate: from a kubeconfig (current or named context:
/// server, certificate-authority(-data), token / tokenFile, client certificate, insecure-skip-tls-verify)
/// or in-cluster (service-account token, re-read on each request because bound tokens rotate, and the cluster CA).
/// </summary>
public sealed class KubernetesConnection
{
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    public required Uri Server { get; init; }
    public X509Certificate2Collection? CertificateAuthority { get; init; }
    public string? Token { get; init; }
    public string? TokenFile { get; init; }
    public X509Certificate2? ClientCertificate { get; init; }
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>The namespace of the current context, or of the pod in-cluster.</summary>
    public string? Namespace { get; init; }

    public static bool IsInCluster(string directory = ServiceAccountDirectory) =>
        Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 } && File.Exists(Path.Combine(directory, "token"));

    public static KubernetesConnection InCluster(string directory = ServiceAccountDirectory) => InCluster(
        directory,
        Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") ?? throw new InvalidOperationException("KUBERNETES_SERVICE_HOST is not set: not running in a cluster"),
        Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT") ?? "443");

    /// <param name="directory">Holds the pod's service-account token, ca.crt and namespace.</param>
    public static KubernetesConnection InCluster(string directory, string host, string port)
    {
        var ca = new X509Certificate2Collection();
        ca.ImportFromPemFile(Path.Combine(directory, "ca.crt"));
        var nsFile = Path.Combine(directory, "namespace");
        return new KubernetesConnection
        {
            Server = new Uri($"https://{(host.Contains(':') ? $"[{host}]" : host)}:{port}"),
            CertificateAuthority = ca,
            TokenFile = Path.Combine(directory, "token"),
            Namespace = File.Exists(nsFile) ? File.ReadAllText(nsFile).Trim() : null,
        };
    }

    /// <param name="baseDirectory">Relative file paths in the kubeconfig are relative to its own directory.</param>
    public static KubernetesConnection FromKubeConfig(string yaml, string baseDirectory, string? context = null)
    {
        var root = YamlJson.ParseSingle(yaml).AsObject();
        var contextName = context ?? root["current-context"]?.GetValue<string>() ?? throw new FormatException("kubeconfig has no current-context");
        var ctx = Named(root, "contexts", contextName)?["context"] ?? throw new FormatException($"kubeconfig has no context '{contextName}'");
        var clusterName = ctx["cluster"]?.GetValue<string>() ?? throw new FormatException($"context '{contextName}' names no cluster");
        var cluster = Named(root, "clusters", clusterName)?["cluster"] ?? throw new FormatException($"kubeconfig has no cluster '{clusterName}'");
        var userName = ctx["user"]?.GetValue<string>();
        var user = userName is null ? null : Named(root, "users", userName)?["user"];

        string? Text(System.Text.Json.Nodes.JsonNode? node, string key) => node?[key]?.GetValue<string>();
        string PathOf(string p) => Path.IsPathRooted(p) ? p : Path.Combine(baseDirectory, p);

        X509Certificate2Collection? ca = null;
        if (Text(cluster, "certificate-authority-data") is { } caData)
        {
            ca = [];
            ca.ImportFromPem(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(caData)));
        }
        else if (Text(cluster, "certificate-authority") is { } caFile)
        {
            ca = [];
            ca.ImportFromPemFile(PathOf(caFile));
        }

        X509Certificate2? clientCertificate = null;
        var certPem = Text(user, "client-certificate-data") is { } cd ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(cd))
            : Text(user, "client-certificate") is { } cf ? File.ReadAllText(PathOf(cf)) : null;
        var keyPem = Text(user, "client-key-data") is { } kd ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(kd))
            : Text(user, "client-key") is { } kf ? File.ReadAllText(PathOf(kf)) : null;
        if (certPem is not null && keyPem is not null)
        {
            using var ephemeral = X509Certificate2.CreateFromPem(certPem, keyPem);
            // SslStream on Linux needs a certificate whose key is not ephemeral.
            clientCertificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
        }

        return new KubernetesConnection
        {
            Server = new Uri(Text(cluster, "server") ?? throw new FormatException($"cluster '{clusterName}' has no server")),
            CertificateAuthority = ca,
            InsecureSkipTlsVerify = cluster["insecure-skip-tls-verify"]?.GetValue<bool>() ?? false,
            Token = Text(user, "token"),
            TokenFile = Text(user, "tokenFile") is { } tf ? PathOf(tf) : null,
            ClientCertificate = clientCertificate,
            Namespace = Text(ctx, "namespace"),
        };
    }

    /// <summary>$KUBECONFIG (first file), else ~/.kube/config; in-cluster when neither exists and the pod has a token.</summary>
    public static KubernetesConnection Discover(string? context = null)
    {
        var path = Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        if (!File.Exists(path) && IsInCluster()) return InCluster();
        return FromKubeConfig(File.ReadAllText(path), Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", context);
    }

    public HttpMessageHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (ClientCertificate is not null) handler.SslOptions.ClientCertificates = [ClientCertificate];
        if (InsecureSkipTlsVerify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (CertificateAuthority is { Count: > 0 } authority)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }
        return handler;
    }

    public async ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) =>
        TokenFile is not null ? (await File.ReadAllTextAsync(TokenFile, cancellationToken).ConfigureAwait(false)).Trim() : Token;

    private static System.Text.Json.Nodes.JsonNode? Named(System.Text.Json.Nodes.JsonObject root, string list, string name) =>
        root[list]?.AsArray().FirstOrDefault(e => e?["name"]?.GetValue<string>() == name);
}
