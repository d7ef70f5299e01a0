using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Celeriac.Operator.Tests;

/// <summary>Kubeconfig files and exec credential plugins for tests, written into a directory the test owns.</summary>
public static class Kubeconfigs
{
    /// <summary>A kubeconfig with one cluster, one user and one context (the current one, with namespace shop).</summary>
    /// <param name="user">The user's YAML mapping, e.g. <c>{ token: abc }</c> or the output of <see cref="ExecUser"/>.</param>
    /// <param name="ca">The CA that signed an HTTPS server's certificate.</param>
    public static string Write(string directory, string fileName, Uri server, string user, X509Certificate2? ca = null)
    {
        var path = Path.Combine(directory, fileName);
        var caData = ca is null ? "" : $", certificate-authority-data: {Convert.ToBase64String(Encoding.UTF8.GetBytes(ca.ExportCertificatePem()))}";
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            current-context: fake
            clusters:
              - name: fake
                cluster: {"{"} server: "{server.ToString().TrimEnd('/')}"{caData} {"}"}
            users:
              - name: tester
                user: {user}
            contexts:
              - name: fake
                context: {"{"} cluster: fake, user: tester, namespace: shop {"}"}
            """);
        return path;
    }

    /// <summary>
    /// An exec credential plugin, as <c>aws eks get-token</c>, <c>kubelogin</c> or <c>gke-gcloud-auth-plugin</c> are
    /// (client.authentication.k8s.io, "ExecCredential"): a script that prints an ExecCredential with <paramref name="token"/>
    /// on standard output and saves the KUBERNETES_EXEC_INFO it was given to <c>{script}.info</c>.
    /// </summary>
    public static string ExecPlugin(string directory, string apiVersion, string token)
    {
        return Script(directory, "credential-plugin.sh", $$$"""
            #!/bin/sh
            printf '%s' "$KUBERNETES_EXEC_INFO" > "$0.info"
            cat <<'JSON'
            {"apiVersion": "{{{apiVersion}}}", "kind": "ExecCredential", "status": {"token": "{{{token}}}"}}
            JSON
            """);
    }

    /// <summary>An executable shell script.</summary>
    public static string Script(string directory, string name, string body)
    {
        var script = Path.Combine(directory, name);
        File.WriteAllText(script, body + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    /// <summary>The YAML mapping of a kubeconfig user that authenticates by running <paramref name="command"/>.</summary>
    public static string ExecUser(string command, string apiVersion) =>
        $$"""{ exec: { apiVersion: "{{apiVersion}}", command: "{{command}}", interactiveMode: Never } }""";
}
