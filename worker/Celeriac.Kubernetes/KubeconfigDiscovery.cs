using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace Celeriac.Kubernetes;

/// <summary>
/// Finds the API server and the credentials as kubectl does: every file named in <c>$KUBECONFIG</c>, merged (the first file
/// to set a value or a name wins; missing files are skipped), else <c>~/.kube/config</c>, else the pod's service account.
/// KubernetesClient reads the files and authenticates: tokens, client certificates, exec credential plugins (<c>aws eks
/// get-token</c>, <c>kubelogin</c>, <c>gke-gcloud-auth-plugin</c>, run again when their credential expires), the oidc auth
/// provider, and in a pod the service-account token, re-read as the kubelet rotates it.
/// </summary>
/// <remarks>
/// The merge is done here because KubernetesClient's own (<c>BuildDefaultConfig</c>) takes no context, fails on a missing
/// file, and resolves a later file's relative paths against the first file's directory.
/// </remarks>
public static class KubeconfigDiscovery
{
    /// <param name="context">The kubeconfig context to use; null uses the current-context.</param>
    public static KubernetesClientConfiguration Load(string? context = null) =>
        Load(Environment.GetEnvironmentVariable("KUBECONFIG"), KubernetesClientConfiguration.KubeConfigDefaultLocation, context);

    /// <param name="kubeconfigVariable">The value of <c>$KUBECONFIG</c>: files separated by <see cref="Path.PathSeparator"/>.</param>
    /// <param name="defaultFile">Read when <paramref name="kubeconfigVariable"/> is empty.</param>
    /// <exception cref="KubeConfigException">No kubeconfig and no service account, or the kubeconfig is incomplete.</exception>
    public static KubernetesClientConfiguration Load(string? kubeconfigVariable, string defaultFile, string? context)
    {
        List<string> files = string.IsNullOrWhiteSpace(kubeconfigVariable)
            ? [.. new[] { defaultFile }.Where(File.Exists)]
            : [.. kubeconfigVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(File.Exists)];
        if (files.Count == 0)
        {
            if (context is null && KubernetesClientConfiguration.IsInCluster()) return KubernetesClientConfiguration.InClusterConfig();
            throw new KubeConfigException(string.IsNullOrWhiteSpace(kubeconfigVariable)
                ? $"no kubeconfig: KUBECONFIG is not set, {defaultFile} does not exist, and this is not a pod with a service account token"
                : $"no kubeconfig: none of the files in KUBECONFIG ({kubeconfigVariable}) exists");
        }
        var merged = files.Select(LoadFile).Aggregate(Merge);
        return KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, context);
    }

    private static K8SConfiguration LoadFile(string path)
    {
        var config = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(path), useRelativePaths: false);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string? Resolve(string? file) => string.IsNullOrEmpty(file) || Path.IsPathRooted(file) ? file : Path.Combine(directory, file);
        foreach (var cluster in config.Clusters ?? [])
        {
            if (cluster.ClusterEndpoint is { } endpoint) endpoint.CertificateAuthority = Resolve(endpoint.CertificateAuthority);
        }
        foreach (var user in config.Users ?? [])
        {
            if (user.UserCredentials is not { } credentials) continue;
            credentials.ClientCertificate = Resolve(credentials.ClientCertificate);
            credentials.ClientKey = Resolve(credentials.ClientKey);
            // As kubectl: a command with a path separator is relative to the kubeconfig; a bare name is looked up on PATH.
            if (credentials.ExternalExecution is { Command: { } command } exec && command.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
                exec.Command = Resolve(command);
        }
        return config;
    }

    private static K8SConfiguration Merge(K8SConfiguration first, K8SConfiguration next)
    {
        if (string.IsNullOrEmpty(first.CurrentContext)) first.CurrentContext = next.CurrentContext;
        first.Clusters = MergeByName(first.Clusters, next.Clusters, c => c.Name);
        first.Users = MergeByName(first.Users, next.Users, u => u.Name);
        first.Contexts = MergeByName(first.Contexts, next.Contexts, c => c.Name);
        return first;
    }

    private static List<T> MergeByName<T>(IEnumerable<T>? first, IEnumerable<T>? next, Func<T, string> name)
    {
        var merged = (first ?? []).ToList();
        var names = merged.Select(name).ToHashSet(StringComparer.Ordinal);
        merged.AddRange((next ?? []).Where(item => names.Add(name(item))));
        return merged;
    }
}
